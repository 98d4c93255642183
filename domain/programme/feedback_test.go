package programme_test

import (
	"errors"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
	"github.com/civicflow/civicflow/domain/template"
)

var questions = []template.FeedbackQuestion{
	{Key: "useful", Text: template.Text{De: "Nützlich?", En: "Useful?"}, Scale: 5},
	{Key: "again", Text: template.Text{De: "Wieder?", En: "Again?"}, Scale: 3},
}

// heldWorkshop is a programme with sites menden and senden and a held workshop that menden:a,
// menden:b and senden:c attended.
func heldWorkshop(t *testing.T) *programme.Programme {
	t.Helper()
	p := ews(t, 10)
	for _, s := range []string{"menden", "senden"} {
		if err := join(p, s); err != nil {
			t.Fatal(err)
		}
	}
	coord := meta("kora", "ews", "coordinator")
	if err := p.ScheduleSession(coord, programme.SessionScheduled{Session: "w1", Title: "Werkstatt 1", Format: "workshop", Date: day, Online: true}); err != nil {
		t.Fatal(err)
	}
	if err := p.HoldSession(coord, "w1", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.RecordAttendance(meta("l", "menden", "lead"), "w1", []string{"menden:a", "menden:b"}); err != nil {
		t.Fatal(err)
	}
	if err := p.RecordAttendance(meta("l", "senden", "lead"), "w1", []string{"senden:c"}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgramme_feedback_on_shared_sessions(t *testing.T) {
	sealed := process.Sealed{Person: "menden:a", Ciphertext: "c2VjcmV0"}
	cases := []struct {
		name       string
		who        process.Meta
		f          programme.FeedbackGiven
		field, why string // the invalid field or the refusing rule; both empty: accepted
		forbidden  bool
	}{
		{"ratings_and_text_of_an_attendee", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f1", Session: "w1", Person: "menden:a", Ratings: map[string]int{"useful": 5, "again": 3}, Text: sealed}, "", "", false},
		{"a_person_who_did_not_attend", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:z", Ratings: map[string]int{"useful": 4}}, "", "not_attended", false},
		{"another_sites_person", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "senden:c", Ratings: map[string]int{"useful": 4}}, "person", "", false},
		{"a_question_the_template_lacks", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:b", Ratings: map[string]int{"fun": 4}}, "ratings", "", false},
		{"a_rating_beyond_the_scale", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:b", Ratings: map[string]int{"again": 4}}, "ratings", "", false},
		{"neither_rating_nor_text", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:b"}, "ratings", "", false},
		{"an_unknown_session", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w9", Person: "menden:b", Ratings: map[string]int{"useful": 4}}, "session", "", false},
		{"the_same_person_twice", meta("l", "menden", "member"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:a", Ratings: map[string]int{"useful": 1}}, "", "feedback_given", false},
		{"the_coordinating_tenant_is_no_site", meta("k", "ews", "administrator"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "ews:k", Ratings: map[string]int{"useful": 4}}, "", "not_a_member", false},
		{"a_viewer", meta("l", "menden", "viewer"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:b", Ratings: map[string]int{"useful": 4}}, "", "", true},
		{"a_second_person_of_the_site", meta("l", "menden", "lead"),
			programme.FeedbackGiven{Feedback: "f2", Session: "w1", Person: "menden:b", Ratings: map[string]int{"useful": 2}}, "", "", false},
		{"a_person_of_the_other_site", meta("l", "senden", "member"),
			programme.FeedbackGiven{Feedback: "f3", Session: "w1", Person: "senden:c", Ratings: map[string]int{"useful": 3, "again": 1}}, "", "", false},
	}
	p := heldWorkshop(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := p.Version
			err := p.GiveFeedback(c.who, questions, c.f)
			var inv *process.InvalidError
			switch {
			case c.forbidden:
				if !errors.Is(err, process.ErrForbidden) {
					t.Fatalf("%v, want forbidden", err)
				}
			case c.field != "":
				if !errors.As(err, &inv) || inv.Field != c.field {
					t.Fatalf("%v, want invalid %s", err, c.field)
				}
			case c.why != "":
				if rule(err) != c.why {
					t.Fatalf("%v, want refused by %s", err, c.why)
				}
			case err != nil:
				t.Fatal(err)
			}
			if (err == nil) != (p.Version == before+1) {
				t.Fatalf("version %d → %d with error %v", before, p.Version, err)
			}
		})
	}
	t.Run("the_summary_counts_and_averages_without_text_or_persons", func(t *testing.T) {
		sum := p.FeedbackOn("w1")
		if sum.Count != 3 || sum.BySite["menden"] != 2 || sum.BySite["senden"] != 1 {
			t.Fatalf("counts %+v", sum)
		}
		if u := sum.Questions["useful"]; u.Count != 3 || u.Mean < 3.33 || u.Mean > 3.34 {
			t.Fatalf("useful %+v, want 3 ratings averaging 10/3", u)
		}
		if a := sum.Questions["again"]; a.Count != 2 || a.Mean != 2 {
			t.Fatalf("again %+v, want 2 ratings averaging 2", a)
		}
		if got := sum.String(); got != "3 Rückmeldungen / 3 responses; again 2.00 (2); useful 3.33 (3)" {
			t.Fatalf("%q", got)
		}
	})
}
