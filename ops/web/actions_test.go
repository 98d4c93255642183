package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/engine"
)

// formOf returns the hidden and preset values of the form with the given ID on a page, as a
// browser would send them.
func formOf(t *testing.T, body, id string) url.Values {
	t.Helper()
	start := strings.Index(body, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no form %s on the page", id)
	}
	end := strings.Index(body[start:], "</form>")
	v := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(body[start:start+end], -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

var inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func (b *browser) submit(id string, form url.Values, extra map[string]string) page {
	b.t.Helper()
	v := url.Values{}
	for k, x := range form {
		v[k] = x
	}
	for k, x := range extra {
		v.Set(k, x)
	}
	return b.post("/processes/"+b.s.leipzig.String()+"/do/"+commandOf(id), v)
}

// commandOf reads the command from a form ID ("f-complete_task-publish_call" → complete_task).
func commandOf(id string) string {
	name := strings.TrimPrefix(id, "f-")
	for _, c := range []string{"complete_task", "reopen_task", "grant_approval", "advance", "suspend", "register_participant", "set_open_data"} {
		if strings.HasPrefix(name, c) {
			return c
		}
	}
	return name
}

func (s *site) events(t *testing.T, typ string) int {
	t.Helper()
	evs, err := s.store.ReadStream(context.Background(), engine.StreamOf(s.leipzig), eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestProcessForms_by_role(t *testing.T) {
	s := newSite(t)
	path := "/processes/" + s.leipzig.String()
	for _, tc := range []struct {
		who       string
		want, not []string
	}{
		{"lead@leipzig", []string{"f-complete_task-publish_call", "f-reopen_task-define_subject", "f-advance", "f-suspend", "f-cancel",
			"f-register_participant", "f-record_decision", "f-define_measure"}, []string{"f-grant_approval"}},
		{"member@leipzig", []string{"f-complete_task-publish_call", "f-register_participant", "f-record_contribution", "f-schedule_session"},
			[]string{"f-advance", "f-suspend", "f-cancel", "f-record_decision", "f-define_measure"}},
		{"auditor@leipzig", nil, []string{`class="act`}},
		{"viewer@leipzig", nil, []string{`class="act`}},
	} {
		t.Run("shows_"+strings.Split(tc.who, "@")[0]+"s_only_the_forms_their_role_may_use", func(t *testing.T) {
			b := s.browser()
			b.signIn(tc.who)
			p := b.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("%d", p.status)
			}
			for _, id := range tc.want {
				if !strings.Contains(p.body, `id="`+id+`"`) {
					t.Errorf("no form %s", id)
				}
			}
			for _, x := range tc.not {
				if strings.Contains(p.body, x) {
					t.Errorf("the page has %s", x)
				}
			}
			if !strings.Contains(p.body, `id="cond-gate-call_published_30_days" class="unmet"`) {
				t.Errorf("the gate is not shown as unmet before advancing")
			}
		})
	}
}

func TestProcessForms_commands(t *testing.T) {
	s := newSite(t)
	path := "/processes/" + s.leipzig.String()
	lead := s.browser()
	lead.signIn("lead@leipzig")

	t.Run("completes_a_task_and_redirects_to_the_page_that_says_so", func(t *testing.T) {
		p := lead.get(path)
		f := formOf(t, p.body, "f-complete_task-choose_facilitation")
		got := lead.submit("f-complete_task-choose_facilitation", f, map[string]string{"evidence": "Vermerk 3/2025"})
		if got.status != http.StatusSeeOther || got.header.Get("Location") != path+"?done=complete_task#tasks" {
			t.Fatalf("%d %q", got.status, got.header.Get("Location"))
		}
		p = lead.get(got.header.Get("Location"))
		if !strings.Contains(p.body, "Die Aufgabe ist erledigt.") || !strings.Contains(p.body, "Vermerk 3/2025") ||
			!strings.Contains(p.body, `id="f-reopen_task-choose_facilitation"`) {
			t.Fatalf("the page after the redirect:\n%s", p.body)
		}
	})

	t.Run("a_double_submit_writes_once", func(t *testing.T) {
		p := lead.get(path)
		f := formOf(t, p.body, "f-complete_task-select_team")
		if key, err := uuid.Parse(f.Get("key")); err != nil || key.Version() != 7 || key.String() != f.Get("key") {
			t.Fatalf("the form's idempotency key %q is not a UUIDv7 (%v)", f.Get("key"), err)
		}
		before := s.events(t, "process.task_completed")
		for i := 0; i < 2; i++ {
			if got := lead.submit("f-complete_task-select_team", f, map[string]string{"evidence": "Team benannt"}); got.status != http.StatusSeeOther {
				t.Fatalf("submit %d: %d %s", i+1, got.status, got.body)
			}
		}
		if n := s.events(t, "process.task_completed") - before; n != 1 {
			t.Fatalf("%d tasks completed by a double submit, want 1", n)
		}
	})

	t.Run("shows_the_engine_problem_next_to_the_field_and_writes_nothing", func(t *testing.T) {
		p := lead.get(path)
		f := formOf(t, p.body, "f-complete_task-publish_call")
		before := s.events(t, "process.task_completed")
		got := lead.submit("f-complete_task-publish_call", f, map[string]string{"evidence": "  "})
		if got.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", got.status)
		}
		want := `<p class="error" id="f-complete_task-publish_call-evidence-error">Bitte ausfüllen: Das Feld ist Pflicht.</p>`
		if !strings.Contains(got.body, want) || !strings.Contains(got.body, `aria-invalid="true"`) {
			t.Fatalf("no problem next to the field:\n%s", got.body)
		}
		if s.events(t, "process.task_completed") != before {
			t.Fatal("a refused form wrote an event")
		}
	})

	t.Run("a_refused_advance_names_the_unmet_gate_next_to_it", func(t *testing.T) {
		p := lead.get(path + "?lang=en")
		got := lead.submit("f-advance", formOf(t, p.body, "f-advance"), nil)
		if got.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", got.status)
		}
		for _, want := range []string{
			`id="cond-gate-call_published_30_days" class="unmet refused"`,
			"the condition does not hold yet <strong>(reason for the refusal)</strong>",
			"Not advanced: not every condition is met",
			`id="cond-task-select_team" class="met"`,
		} {
			if !strings.Contains(got.body, want) {
				t.Errorf("the refused advance lacks %q", want)
			}
		}
		lead.get(path + "?lang=de")
	})

	t.Run("a_form_from_before_another_sessions_change_shows_what_changed", func(t *testing.T) {
		p := lead.get(path)
		stale := formOf(t, p.body, "f-complete_task-publish_call")
		member := s.browser()
		member.signIn("member@leipzig")
		mp := member.get(path)
		if got := member.submit("f-register_participant", formOf(t, mp.body, "f-register_participant"),
			map[string]string{"name": "Max Muster", "group": "politics"}); got.status != http.StatusSeeOther {
			t.Fatalf("the member's change: %d %s", got.status, got.body)
		}
		got := lead.submit("f-complete_task-publish_call", stale, map[string]string{"evidence": "Amtsblatt 7/2025"})
		if got.status != http.StatusPreconditionFailed {
			t.Fatalf("%d, want 412", got.status)
		}
		for _, want := range []string{"Das Verfahren wurde inzwischen geändert.", "member-leipzig", "Beteiligte:r angemeldet", "Amtsblatt 7/2025"} {
			if !strings.Contains(got.body, want) {
				t.Errorf("the conflict page lacks %q", want)
			}
		}
	})

	t.Run("refuses_a_form_without_the_sessions_csrf_token", func(t *testing.T) {
		p := lead.get(path)
		f := formOf(t, p.body, "f-suspend")
		f.Set("csrf", "forged")
		if got := lead.submit("f-suspend", f, map[string]string{"reason": "x"}); got.status != http.StatusForbidden {
			t.Fatalf("%d, want 403", got.status)
		}
	})

	t.Run("suspends_and_then_offers_only_resume_and_cancel", func(t *testing.T) {
		p := lead.get(path)
		if got := lead.submit("f-suspend", formOf(t, p.body, "f-suspend"), map[string]string{"reason": "Haushaltssperre"}); got.status != http.StatusSeeOther {
			t.Fatalf("%d %s", got.status, got.body)
		}
		p = lead.get(path)
		if !strings.Contains(p.body, `id="f-resume"`) || !strings.Contains(p.body, `id="f-cancel"`) || strings.Contains(p.body, `id="f-advance"`) {
			t.Fatal("a suspended process's forms are not resume and cancel")
		}
	})
}

func TestEnglish_names_of_groups_are_capitalised_as_titles(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("lead@leipzig")
	p := b.get("/processes/" + s.leipzig.String() + "?lang=en")
	for _, want := range []string{`<th scope="row">Citizens</th>`, `<option value="administration">Administration</option>`, `<option value="consent">Consent</option>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the English page lacks %s", want)
		}
	}
}
