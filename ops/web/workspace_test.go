package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/templates"
)

// section returns the HTML of the section whose heading has the given ID.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<h3 id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

func TestFirstScreen_answers_what_needs_me(t *testing.T) {
	s := newSite(t)
	lead := s.browser()
	lead.signIn("lead@leipzig")
	path := "/processes/" + s.leipzig.String()
	p := lead.get(path)
	for _, task := range []string{"choose_facilitation", "publish_call", "select_team"} {
		id := "f-complete_task-" + task
		if got := lead.submit(id, formOf(t, p.body, id), map[string]string{"evidence": "erledigt"}); got.status != http.StatusSeeOther {
			t.Fatalf("%s: %d", task, got.status)
		}
		p = lead.get(path)
	}
	sched := map[string]string{"title": "Auftaktwerkstatt", "format": "workshop", "date": "2025-09-04T17:00", "place": "Rathaus"}
	if got := lead.submit("f-schedule_session", formOf(t, p.body, "f-schedule_session"), sched); got.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", got.status, got.body)
	}
	home := lead.get("/")

	t.Run("comes_before_the_process_table_and_the_charts", func(t *testing.T) {
		need, table, chart := strings.Index(home.body, "Was braucht mich?"), strings.Index(home.body, `<table class="processes">`), strings.Index(home.body, `id="bystage"`)
		if need < 0 || table < 0 || chart < 0 || !(need < table && table < chart) {
			t.Fatalf("order: needs %d, table %d, chart %d", need, table, chart)
		}
	})
	t.Run("lists_the_processes_i_lead", func(t *testing.T) {
		if !strings.Contains(section(t, home.body, "mine"), "Spielplatz Lindenauer Markt") {
			t.Fatal("the lead's process is not under my processes")
		}
	})
	t.Run("names_the_gate_a_process_with_its_tasks_done_waits_for", func(t *testing.T) {
		got := section(t, home.body, "blocked")
		if !strings.Contains(got, "Spielplatz Lindenauer Markt") || !strings.Contains(got, "Phasentor: ") {
			t.Fatalf("blocked gates:\n%s", got)
		}
	})
	t.Run("lists_the_next_session_at_the_local_time_it_was_entered", func(t *testing.T) {
		if got := section(t, home.body, "next"); !strings.Contains(got, "Auftaktwerkstatt") || !strings.Contains(got, "04.09.2025, 17:00") {
			t.Fatalf("next sessions:\n%s", got)
		}
	})
	t.Run("lists_the_overdue_measure_and_not_the_one_without_a_due_date", func(t *testing.T) {
		got := section(t, home.body, "due")
		if !strings.Contains(got, "Bänke aufstellen") || strings.Contains(got, "Sandkasten erneuern") {
			t.Fatalf("due measures:\n%s", got)
		}
	})
	t.Run("opens_a_process_once_however_often_the_form_is_sent", func(t *testing.T) {
		f := formOf(t, home.body, "f-open")
		v := map[string]string{"title": "Radweg Südvorstadt", "template": "beteiligung-standard"}
		first := lead.post("/processes/open", merge(f, v))
		second := lead.post("/processes/open", merge(f, v))
		loc := first.header.Get("Location")
		if first.status != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=open") || second.header.Get("Location") != loc {
			t.Fatalf("%d %q, again %q", first.status, loc, second.header.Get("Location"))
		}
		if p := lead.get(loc); !strings.Contains(p.body, "Radweg Südvorstadt") || !strings.Contains(p.body, "Das Verfahren ist eröffnet.") {
			t.Fatal("the new process's page does not show it")
		}
	})
	t.Run("refuses_an_open_form_without_a_title_next_to_the_field", func(t *testing.T) {
		f := formOf(t, lead.get("/").body, "f-open")
		got := lead.post("/processes/open", merge(f, map[string]string{"template": "beteiligung-standard"}))
		if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `id="f-open-title-error"`) {
			t.Fatalf("%d", got.status)
		}
	})
	for _, who := range []string{"auditor@leipzig", "viewer@leipzig"} {
		t.Run("is_not_shown_to_"+strings.Split(who, "@")[0]+"s", func(t *testing.T) {
			b := s.browser()
			b.signIn(who)
			if p := b.get("/"); strings.Contains(p.body, "Was braucht mich?") || strings.Contains(p.body, `class="act`) {
				t.Fatal("the workspace is shown")
			}
		})
	}
}

func merge(form url.Values, extra map[string]string) url.Values {
	v := url.Values{}
	for k, x := range form {
		v[k] = x
	}
	for k, x := range extra {
		v.Set(k, x)
	}
	return v
}

func TestFirstScreen_offers_only_templates_the_tenant_sees(t *testing.T) {
	s := newSiteConfigured(t, nil, func(c *web.Config, _ map[string]string) {
		tpl, err := templates.Parse([]byte("id: eigene-vorlage\ntitle: {de: Mendener Vorlage, en: Menden template}\nstages:\n  - key: one\n    title: {de: Eins, en: One}\n"))
		if err != nil {
			t.Fatal(err)
		}
		admin := process.Meta{Actor: process.Actor{User: "administrator-menden", Tenant: "menden", Role: "administrator"}}
		if _, err := c.Engine.PublishTemplate(context.Background(), admin, tpl); err != nil {
			t.Fatal(err)
		}
	})
	for who, want := range map[string]bool{"lead@menden": true, "lead@leipzig": false} {
		b := s.browser()
		b.signIn(who)
		if got := strings.Contains(b.get("/").body, "Mendener Vorlage"); got != want {
			t.Errorf("%s: the open form offers Menden's template: %v, want %v", who, got, want)
		}
	}
}
