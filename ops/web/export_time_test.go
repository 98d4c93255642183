package web

import (
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// Detail is the history's detail of an event in lang.
func Detail(lang string, tpl domain.Template, payload process.Payload) string {
	return detail(&page{Lang: lang}, tpl, payload)
}

// Label is the text of a message key in lang.
func Label(lang, key string) string { return translate(lang, key) }
