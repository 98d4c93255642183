package engine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// loose is the standard template with a first gate that always holds, as the Leipzig
// administrator published it in issue #13.
func loose(t *testing.T, h *harness) template.Template {
	t.Helper()
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	tpl := tv.Template
	tpl.Stages = append([]template.Stage(nil), tpl.Stages...)
	tpl.Stages[0].Gates = []template.Gate{{Key: "open", Title: template.Text{De: "offen", En: "open"}, Expr: "true"}}
	return tpl
}

func TestTemplates_a_tenants_administrator_publishes_only_for_their_tenant(t *testing.T) {
	h := newHarness(t)
	own, err := h.engine.PublishTemplate(h.ctx, h.meta(admin), loose(t, h))
	if err != nil {
		t.Fatal(err)
	}
	if own.Template.ID != "leipzig:"+standard || own.Template.Version != 1 || own.Owner != "leipzig" {
		t.Fatalf("leipzig's publication is %s v%d of %q, want leipzig:%s v1 of leipzig", own.Template.ID, own.Template.Version, own.Owner, standard)
	}
	inst, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil || inst.Template.Version != 1 || inst.Owner != template.Installation {
		t.Fatalf("the installation template after leipzig's publication: v%d of %q, %v", inst.Template.Version, inst.Owner, err)
	}
	menden, err := h.engine.Open(h.ctx, h.meta(otherLead), engine.OpenProcess{Template: standard, Title: "Ahlen-Fall"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := h.engine.Load(h.ctx, otherLead, menden.Process); p.TemplateID != standard {
		t.Fatalf("menden's process opened from %s, want the installation's %s", p.TemplateID, standard)
	}
	if p := h.state(h.open(standard, "Leipzig")); p.TemplateID != "leipzig:"+standard {
		t.Fatalf("leipzig's process opened from %s, want its own leipzig:%s", p.TemplateID, standard)
	}
	for _, id := range []string{"leipzig:" + standard, "leipzig:nothing"} {
		if _, err := h.engine.TemplateFor(h.ctx, otherLead, id, 0); !errors.Is(err, engine.ErrTemplateNotFound) {
			t.Fatalf("menden reads %s: %v, want not found", id, err)
		}
		if _, err := h.engine.Open(h.ctx, h.meta(otherLead), engine.OpenProcess{Template: id, Title: "x"}); !errors.Is(err, engine.ErrTemplateNotFound) {
			t.Fatalf("menden opens from %s: %v, want not found", id, err)
		}
	}
	list, err := h.engine.TemplatesFor(h.ctx, otherLead)
	if err != nil {
		t.Fatal(err)
	}
	for _, tv := range list {
		if tv.Owner != template.Installation {
			t.Fatalf("menden's list holds %s of %s", tv.Template.ID, tv.Owner)
		}
	}
}

func TestTemplates_retiring_is_for_the_owner(t *testing.T) {
	h := newHarness(t)
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(admin), loose(t, h)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		actor process.Actor
		id    string
		want  error
	}{
		{"a_tenant_administrator_may_not_retire_an_installation_template", admin, "ews-engagementstrategie", process.ErrForbidden},
		{"another_tenants_administrator_does_not_find_the_tenants_template", otherAdmin, "leipzig:" + standard, engine.ErrTemplateNotFound},
		{"a_lead_may_not_retire_their_tenants_template", lead, standard, process.ErrForbidden},
		{"the_tenants_administrator_retires_their_own", admin, standard, nil},
		{"the_installation_administrator_retires_an_installation_template", installation, "ews-engagementstrategie", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := headOf(t, h)
			tv, err := h.engine.RetireTemplate(h.ctx, h.meta(c.actor), c.id, 1, "zurückgezogen")
			if !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			if wrote := headOf(t, h) != before; wrote != (c.want == nil) || (c.want == nil && !tv.Retired) {
				t.Fatalf("wrote %v, answer %+v", wrote, tv)
			}
		})
	}
	if _, err := h.engine.Open(h.ctx, h.meta(lead), engine.OpenProcess{Template: standard, Title: "x"}); !errors.Is(err, process.ErrRefused) {
		t.Fatalf("leipzig opens from its retired template: %v, want refused", err)
	}
	if _, err := h.engine.Open(h.ctx, h.meta(otherLead), engine.OpenProcess{Template: standard, Title: "x"}); err != nil {
		t.Fatalf("menden opens from the installation template: %v", err)
	}
}

func TestTemplates_a_tenant_derives_its_own_from_an_installation_template(t *testing.T) {
	h := newHarness(t)
	src, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	copied, err := h.engine.DeriveTemplate(h.ctx, h.meta(admin), engine.DeriveTemplate{From: standard})
	if err != nil {
		t.Fatal(err)
	}
	want := template.Source{ID: standard, Version: src.Template.Version, Hash: src.Hash}
	if copied.Template.ID != "leipzig:"+standard || copied.Owner != "leipzig" || copied.DerivedFrom == nil || *copied.DerivedFrom != want {
		t.Fatalf("derived %s of %q from %+v, want leipzig:%s from %+v", copied.Template.ID, copied.Owner, copied.DerivedFrom, standard, want)
	}
	if len(copied.Template.Stages) != len(src.Template.Stages) || copied.Template.Stages[0].Key != src.Template.Stages[0].Key {
		t.Fatal("the copy's stages differ from the source's")
	}
	events, err := h.store.ReadStream(h.ctx, template.StreamOf("leipzig:"+standard), eventstore.ReadStreamOptions{})
	if err != nil || len(events) != 1 || !bytes.Contains(events[0].Data, []byte(`"derived_from":{"id":"`+standard+`","version":1,"hash":"`+src.Hash+`"}`)) {
		t.Fatalf("the event does not record the provenance: %v %d events", err, len(events))
	}
	named, err := h.engine.DeriveTemplate(h.ctx, h.meta(admin), engine.DeriveTemplate{From: standard, ID: "radwege"})
	if err != nil || named.Template.ID != "leipzig:radwege" {
		t.Fatalf("derived under another ID: %s, %v", named.Template.ID, err)
	}
	if p := h.state(h.open("radwege", "Radweg")); p.TemplateID != "leipzig:radwege" {
		t.Fatalf("opened from %s", p.TemplateID)
	}
	refusals := []struct {
		name  string
		actor process.Actor
		d     engine.DeriveTemplate
		want  error
	}{
		{"a_lead_may_not_derive", lead, engine.DeriveTemplate{From: standard}, process.ErrForbidden},
		{"a_tenant_template_is_not_derived", admin, engine.DeriveTemplate{From: "leipzig:radwege", ID: "noch-einer"}, process.ErrInvalid},
		{"another_tenants_template_is_not_found", otherAdmin, engine.DeriveTemplate{From: "leipzig:radwege"}, engine.ErrTemplateNotFound},
		{"another_tenants_template_is_not_found_by_a_lead_either", otherLead, engine.DeriveTemplate{From: "leipzig:radwege"}, engine.ErrTemplateNotFound},
		{"an_unknown_template_is_not_found", admin, engine.DeriveTemplate{From: "gibt-es-nicht"}, engine.ErrTemplateNotFound},
		{"an_unknown_version_is_not_found", admin, engine.DeriveTemplate{From: standard, Version: 9}, engine.ErrTemplateNotFound},
		{"a_bad_id_is_invalid", admin, engine.DeriveTemplate{From: standard, ID: "Bad ID"}, template.ErrInvalid},
		{"the_installation_cannot_derive_onto_the_source", installation, engine.DeriveTemplate{From: standard}, process.ErrInvalid},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			before := headOf(t, h)
			if _, err := h.engine.DeriveTemplate(h.ctx, h.meta(c.actor), c.d); !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			if headOf(t, h) != before {
				t.Fatal("a refused derivation wrote events")
			}
		})
	}
	if _, err := h.engine.RetireTemplate(h.ctx, h.meta(installation), standard, 1, "ersetzt"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.DeriveTemplate(h.ctx, h.meta(otherAdmin), engine.DeriveTemplate{From: standard}); !errors.Is(err, process.ErrRefused) {
		t.Fatalf("derived a retired version: %v, want refused", err)
	}
}
