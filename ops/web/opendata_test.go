package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOpenDataForm: only administrators see it; it marks the process public with post/redirect/
// get, a double submit writes once, a forged CSRF token or a tampered value writes nothing, and
// it stays on the page of a closed process.
func TestOpenDataForm(t *testing.T) {
	s := newSite(t)
	path := "/processes/" + s.leipzig.String()
	for _, who := range []string{"lead@leipzig", "member@leipzig", "auditor@leipzig", "viewer@leipzig"} {
		b := s.browser()
		b.signIn(who)
		if p := b.get(path); strings.Contains(p.body, `id="f-set_open_data`) {
			t.Errorf("%s sees the open-data form", who)
		}
	}
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	p := admin.get(path)
	if !strings.Contains(p.body, `id="f-set_open_data-true"`) || !strings.Contains(p.body, "Dieses Verfahren steht nicht in den offenen Daten") ||
		!strings.Contains(p.body, `href="/api/v1/opendata/leipzig"`) {
		t.Fatalf("the administrator's page lacks the open-data form:\n%s", p.body)
	}
	form := formOf(t, p.body, "f-set_open_data-true")

	t.Run("refuses_a_forged_csrf_token", func(t *testing.T) {
		f := formOf(t, p.body, "f-set_open_data-true")
		f.Set("csrf", "forged")
		if got := admin.submit("f-set_open_data-true", f, nil); got.status != http.StatusForbidden || s.events(t, "process.open_data_set") != 0 {
			t.Fatalf("%d, %d events", got.status, s.events(t, "process.open_data_set"))
		}
	})
	t.Run("refuses_a_tampered_value", func(t *testing.T) {
		if got := admin.submit("f-set_open_data-true", form, map[string]string{"target": "maybe"}); got.status != http.StatusUnprocessableEntity ||
			s.events(t, "process.open_data_set") != 0 {
			t.Fatalf("%d", got.status)
		}
	})
	t.Run("marks_it_public_once_on_a_double_submit", func(t *testing.T) {
		for i := range 2 {
			got := admin.submit("f-set_open_data-true", form, nil)
			if got.status != http.StatusSeeOther || got.header.Get("Location") != path+"?done=set_open_data#opendata" {
				t.Fatalf("submit %d: %d %q %s", i+1, got.status, got.header.Get("Location"), got.body)
			}
		}
		if n := s.events(t, "process.open_data_set"); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		p := admin.get(path + "?done=set_open_data")
		if !strings.Contains(p.body, "Die Freigabe für offene Daten ist geändert.") || !strings.Contains(p.body, `id="f-set_open_data-false"`) ||
			!strings.Contains(p.body, "stehen in den offenen Daten der Kommune") {
			t.Fatalf("the page after the redirect:\n%s", p.body)
		}
	})
	t.Run("the_form_of_before_is_refused_as_stale", func(t *testing.T) {
		f := formOf(t, p.body, "f-set_open_data-true") // rendered before the process was public
		f.Set("key", "another-key")
		got := admin.submit("f-set_open_data-true", f, nil)
		if got.status != http.StatusPreconditionFailed || s.events(t, "process.open_data_set") != 1 {
			t.Fatalf("%d, %d events", got.status, s.events(t, "process.open_data_set"))
		}
	})
	t.Run("stays_for_a_closed_process", func(t *testing.T) {
		lead := s.browser()
		lead.signIn("lead@leipzig")
		lp := lead.get(path)
		if got := lead.submit("f-cancel", formOf(t, lp.body, "f-cancel"), map[string]string{"reason": "Vorhaben aufgegeben"}); got.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d %s", got.status, got.body)
		}
		f := formOf(t, admin.get(path).body, "f-set_open_data-false")
		if got := admin.submit("f-set_open_data-false", f, nil); got.status != http.StatusSeeOther || s.events(t, "process.open_data_set") != 2 {
			t.Fatalf("a cancelled process cannot be taken out: %d %s", got.status, got.body)
		}
	})
}
