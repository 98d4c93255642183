package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/templates"
)

func TestMigrate_form_moves_a_process_to_another_template_version(t *testing.T) {
	s := newSiteConfigured(t, nil, func(c *web.Config, _ map[string]string) {
		seeds, err := templates.Seeds()
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.Replace(string(seeds[0].Data), "Beteiligungsverfahren (Standard)", "Beteiligungsverfahren (Standard, 2. Fassung)", 1)
		tpl, err := templates.Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		root := process.Meta{Actor: process.Actor{User: "root", Tenant: "*", Role: "administrator", Installation: true}}
		if tv, err := c.Engine.PublishTemplate(context.Background(), root, tpl); err != nil || tv.Template.Version != 2 {
			t.Fatalf("version 2: %v", err)
		}
	})
	path := "/processes/" + s.leipzig.String()
	lead := s.browser()
	lead.signIn("lead@leipzig")
	if strings.Contains(lead.get(path).body, `id="f-migrate"`) {
		t.Fatal("a lead gets the migrate form")
	}
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	f := formOf(t, admin.get(path).body, "f-migrate")
	if got := admin.submit("f-migrate", f, map[string]string{"to_version": "2", "reason": "neue Fassung", "stage_mapping": "kaputt"}); got.status != http.StatusUnprocessableEntity ||
		!strings.Contains(got.body, `id="f-migrate-stage_mapping-error"`) {
		t.Fatalf("a malformed mapping: %d", got.status)
	}
	f = formOf(t, admin.get(path).body, "f-migrate")
	if got := admin.submit("f-migrate", f, map[string]string{"to_version": "2", "reason": "neue Fassung"}); got.status != http.StatusSeeOther {
		t.Fatalf("%d %s", got.status, got.body)
	}
	if n := s.events(t, "process.migrated"); n != 1 {
		t.Fatalf("%d migrations recorded", n)
	}
	p := admin.get(path)
	if !strings.Contains(p.body, "2. Fassung") || !strings.Contains(p.body, "(Version 2)</legend>") || strings.Contains(p.body, `<option value="2"`) {
		t.Fatal("the page does not show version 2, or offers the migration to the version it is on")
	}
}
