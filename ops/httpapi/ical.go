package httpapi

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ical writes an iCalendar document (RFC 5545): CRLF line ends, content lines folded at 75
// octets (never inside a UTF-8 character), text values escaped.
type ical struct{ b strings.Builder }

// line writes one content line "NAME:value", folded.
func (c *ical) line(name, value string) {
	l, limit := name+":"+value, 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		c.b.WriteString(l[:cut] + "\r\n ")
		l, limit = l[cut:], 74 // a continuation line starts with a space
	}
	c.b.WriteString(l + "\r\n")
}

// text writes a TEXT property: backslash, semicolon, comma and newline escaped (RFC 5545 3.3.11).
func (c *ical) text(name, value string) {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	c.line(name, r.Replace(value))
}

// at writes a DATE-TIME property in UTC.
func (c *ical) at(name string, t time.Time) { c.line(name, t.UTC().Format("20060102T150405Z")) }

// String returns the document.
func (c *ical) String() string { return c.b.String() }
