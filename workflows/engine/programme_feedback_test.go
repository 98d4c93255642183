package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

func TestProgramme_feedback_on_a_shared_session_is_sealed_and_aggregated(t *testing.T) {
	h := newHarness(t)
	prog, _ := programmeWithSites(t, h, 10, 2)
	do := func(a process.Actor, cmd engine.ProgrammeCommand) error {
		_, err := h.engine.DoProgramme(h.ctx, h.meta(a), prog, engine.NoExpectation, cmd)
		return err
	}
	must := func(a process.Actor, cmd engine.ProgrammeCommand) {
		t.Helper()
		if err := do(a, cmd); err != nil {
			t.Fatal(err)
		}
	}
	must(coordinator, engine.ScheduleProgrammeSession{Session: "fachtagung", Title: "Fachtagung", Format: "conference", Date: h.clock.Now(), Place: "Dortmund"})
	must(coordinator, engine.HoldProgrammeSession{Session: "fachtagung"})
	anna, ben, cem, dave := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	must(siteLead("site-0"), engine.RecordProgrammeAttendance{Session: "fachtagung", Persons: []string{anna, ben, dave}})
	must(siteLead("site-1"), engine.RecordProgrammeAttendance{Session: "fachtagung", Persons: []string{cem}})

	must(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: anna, Ratings: map[string]int{"nutzen": 5}, Text: "Annas vertraulicher Hinweis"})
	must(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: ben, Ratings: map[string]int{"nutzen": 2}})
	must(siteLead("site-1"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: cem, Ratings: map[string]int{"nutzen": 5}, Text: "Cems Hinweis"})
	t.Run("refusals_name_the_rule_or_field", func(t *testing.T) {
		var inv *process.InvalidError
		if err := do(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: uuid.NewString(), Ratings: map[string]int{"nutzen": 3}}); refusedBy(err) != "not_attended" {
			t.Fatalf("a person who was not there: %v", err)
		}
		if err := do(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: dave, Ratings: map[string]int{"laune": 3}}); !errors.As(err, &inv) || inv.Field != "ratings" {
			t.Fatalf("a question the site's template lacks: %v", err)
		}
		if err := do(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Ratings: map[string]int{"nutzen": 3}}); !errors.As(err, &inv) || inv.Field != "person" {
			t.Fatalf("no person: %v", err)
		}
		if err := do(process.Actor{User: "k", Tenant: "ews", Role: "administrator"}, engine.GiveProgrammeFeedback{Session: "fachtagung", Person: anna, Ratings: map[string]int{"nutzen": 3}}); refusedBy(err) != "not_a_member" {
			t.Fatalf("the coordinating tenant's administrator: %v", err)
		}
		if err := do(siteLead("hagen"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: anna, Ratings: map[string]int{"nutzen": 3}}); !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("a tenant outside the programme: %v", err)
		}
	})
	aggregate := func(t *testing.T, a process.Actor) {
		t.Helper()
		v, err := h.engine.ProgrammeView(h.ctx, a, prog)
		if err != nil {
			t.Fatal(err)
		}
		f := v.Sessions[0].Feedback
		if f.Count != 3 || f.BySite["site-0"] != 2 || f.Questions["nutzen"].Count != 3 || f.Questions["nutzen"].Mean != 4 {
			t.Fatalf("%s sees %+v, want 3 responses averaging 4", a.Tenant, f)
		}
	}
	t.Run("the_view_shows_counts_and_means_to_coordinators_and_sites", func(t *testing.T) {
		aggregate(t, coordinator)
		aggregate(t, siteLead("site-1"))
	})
	t.Run("the_text_is_sealed_with_the_persons_key", func(t *testing.T) {
		raw, err := h.store.ReadStream(h.ctx, engine.ProgrammeStreamOf(prog), eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range raw {
			if strings.Contains(string(ev.Data), "vertraulich") || strings.Contains(string(ev.Data), "Cems") {
				t.Fatalf("plain text in the log: %s", ev.Data)
			}
		}
		p, _ := h.engine.LoadProgramme(h.ctx, coordinator, prog)
		for _, f := range p.Feedback {
			if f.Person == engine.PersonID("site-0", anna) && h.engine.Reveal(h.ctx, f.Text) != "Annas vertraulicher Hinweis" {
				t.Fatalf("anna's text does not open: %q", h.engine.Reveal(h.ctx, f.Text))
			}
		}
	})
	t.Run("erasing_the_person_erases_the_text_and_keeps_the_counts", func(t *testing.T) {
		admin0 := process.Actor{User: "ines", Tenant: "site-0", Role: "administrator"}
		if err := h.engine.ErasePerson(h.ctx, h.meta(admin0), anna); err != nil {
			t.Fatal(err)
		}
		p, _ := h.engine.LoadProgramme(h.ctx, coordinator, prog)
		for _, f := range p.Feedback {
			want := "Cems Hinweis"
			if f.Person == engine.PersonID("site-0", anna) {
				want = engine.Erased
			}
			if got := h.engine.Reveal(h.ctx, f.Text); !f.Text.IsZero() && got != want {
				t.Fatalf("%s's text reads %q, want %q", f.Person, got, want)
			}
		}
		aggregate(t, coordinator)
		var inv *process.InvalidError
		if err := do(siteLead("site-0"), engine.GiveProgrammeFeedback{Session: "fachtagung", Person: anna, Text: "neu"}); !errors.As(err, &inv) || inv.Field != "person" {
			t.Fatalf("an erased person's text is sealed again: %v", err)
		}
	})
}
