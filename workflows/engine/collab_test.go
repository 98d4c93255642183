package engine_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

// collabTemplate has team kinds with size rules, process roles, an indicator, a certificate of
// a six-module series, feedback questions and a gate that needs an adopted council decision.
const collabTemplate = `
id: zusammenarbeit-test
title: {de: Zusammenarbeit, en: Collaboration}
team_kinds:
  - {key: entwicklungsteam, title: {de: Entwicklungsteam, en: development team}, min: 2, max: 2}
  - {key: loesungsteam, title: {de: Lösungsteam, en: solution team}, min: 3, max: 6, coached: true}
process_roles:
  - {key: coach, title: {de: Coach, en: coach}}
  - {key: backbone, title: {de: Backbone-Organisation, en: backbone organisation}, max: 1}
indicators:
  - key: ausbildungsquote
    name: {de: Ausbildungsquote, en: apprenticeship rate}
    unit: "%"
    direction: increase
    baseline: {value: 4.0, date: "2024-01-01T00:00:00Z", source: Statistik der BA}
    target: {value: 6.0, date: "2027-12-31T00:00:00Z"}
certificates:
  - {key: reihe, title: {de: Ko-kreative Projektentwicklung, en: co-creative project development}, format: training, min_attended: 5}
feedback_questions:
  - {key: nutzen, text: {de: "Wie nützlich war das Modul?", en: "How useful was the module?"}, scale: 5}
stages:
  - key: strategie
    title: {de: Strategie, en: strategy}
    gates:
      - key: ratsbeschluss
        title: {de: Rat hat die Strategie beschlossen, en: the council adopted the strategy}
        expr: 'decided.adopted_by["council"] >= 1'
      - key: teams
        title: {de: Teams vollständig, en: teams complete}
        expr: 'teams.complete >= 1 && teams.incomplete == 0 && teams.by_team["ews"] == 2 && roles.holders["backbone"] == 1'
  - key: umsetzung
    title: {de: Umsetzung, en: implementation}
    gates:
      - key: quote
        title: {de: Zielquote erreicht, en: target rate reached}
        expr: 'indicators.reached["ausbildungsquote"] && indicators.latest["ausbildungsquote"] >= 6.0'
`

func collabProcess(t *testing.T, h *harness) uuid.UUID {
	t.Helper()
	tpl, err := templates.ParseAndValidate([]byte(collabTemplate), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(admin), tpl); err != nil {
		t.Fatal(err)
	}
	res, err := h.engine.Open(h.ctx, h.meta(lead), engine.OpenProcess{Template: "zusammenarbeit-test", Title: "Engagementstrategie"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"anna", "ben", "cem", "dora", "emil", "coach"} {
		h.do(lead, res.Process, engine.RegisterParticipant{Participant: p, Group: "administration", Name: "Name von " + p})
	}
	return res.Process
}

func refusedBy(err error) string {
	var r *process.RefusedError
	if errors.As(err, &r) {
		return r.Rule
	}
	return ""
}

func TestTeams_roles_and_organisations(t *testing.T) {
	h := newHarness(t)
	id := collabProcess(t, h)
	try := func(a process.Actor, cmd engine.Command) error {
		_, err := h.engine.Do(h.ctx, h.meta(a), id, engine.NoExpectation, cmd)
		return err
	}
	h.do(lead, id, engine.FormTeam{Team: "ews", Kind: "entwicklungsteam", Name: "Entwicklungsteam Menden"})
	h.do(member, id, engine.JoinTeam{Team: "ews", Participant: "anna"})
	h.do(member, id, engine.JoinTeam{Team: "ews", Participant: "ben"})
	t.Run("refuses_a_third_entwicklungsteam_member_naming_the_rule", func(t *testing.T) {
		before := h.state(id).Version
		err := try(member, engine.JoinTeam{Team: "ews", Participant: "cem"})
		if refusedBy(err) != "team_size" || !strings.Contains(err.Error(), "genau 2 Mitglieder") || h.state(id).Version != before {
			t.Fatalf("%v, want refused by team_size naming 'genau 2 Mitglieder', nothing written", err)
		}
	})
	t.Run("rejects_an_unknown_team_kind_naming_the_field", func(t *testing.T) {
		var inv *process.InvalidError
		if err := try(lead, engine.FormTeam{Kind: "fussballteam", Name: "x"}); !errors.As(err, &inv) || inv.Field != "kind" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("assigns_a_coach_to_a_team_who_is_not_its_member", func(t *testing.T) {
		h.do(lead, id, engine.FormTeam{Team: "lt", Kind: "loesungsteam", Name: "Lösungsteam Quartier"})
		for _, p := range []string{"cem", "dora", "emil"} {
			h.do(member, id, engine.JoinTeam{Team: "lt", Participant: p})
		}
		if err := try(member, engine.AssignCoach{Team: "lt", Participant: "coach"}); !errors.Is(err, process.ErrForbidden) {
			t.Fatalf("a member assigns a coach: %v", err)
		}
		if err := try(lead, engine.AssignCoach{Team: "lt", Participant: "cem"}); refusedBy(err) != "coach_not_member" {
			t.Fatalf("a member as coach: %v", err)
		}
		h.do(lead, id, engine.AssignCoach{Team: "lt", Participant: "coach"})
		if got := h.state(id).Collab.Teams["lt"].Coach; got != "coach" {
			t.Fatalf("coach %q", got)
		}
		if err := try(member, engine.JoinTeam{Team: "lt", Participant: "coach"}); refusedBy(err) != "coach_not_member" {
			t.Fatalf("the coach joins as a member: %v", err)
		}
	})
	t.Run("roles_keep_their_limit", func(t *testing.T) {
		h.do(member, id, engine.TakeRole{Role: "backbone", Participant: "dora"})
		if err := try(member, engine.TakeRole{Role: "backbone", Participant: "emil"}); refusedBy(err) != "role_limit" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("an_organisation_takes_part_with_a_sealed_contact", func(t *testing.T) {
		h.do(member, id, engine.JoinOrganisation{Organisation: "jobcenter", Name: "Jobcenter Märkischer Kreis", Group: "administration",
			ContactName: "Karla Kontakt", ContactEmail: "karla@jobcenter.example"})
		o := h.state(id).Collab.Organisations["jobcenter"]
		if o.ContactName.IsZero() || strings.Contains(o.ContactName.Ciphertext, "Karla") || h.engine.Reveal(h.ctx, o.ContactName) != "Karla Kontakt" {
			t.Fatalf("contact %+v", o)
		}
	})
	t.Run("the_gate_requires_an_adopted_council_decision", func(t *testing.T) {
		err := try(lead, engine.Advance{})
		if refusedBy(err) != "gates_not_met" || !strings.Contains(err.Error(), "ratsbeschluss") || strings.Contains(err.Error(), "(teams)") {
			t.Fatalf("%v, want only the council gate unmet", err)
		}
		h.do(lead, id, engine.RecordDecision{Subject: "Strategie", Model: "majority", Outcome: "vertagt", Body: "council"})
		h.do(lead, id, engine.RecordDecision{Subject: "Strategie", Model: "consensus", Outcome: "angenommen", Body: "steering_group", Adopted: true})
		if err := try(lead, engine.Advance{}); refusedBy(err) != "gates_not_met" {
			t.Fatalf("a council decision not adopted, or another body's, passes: %v", err)
		}
		var inv *process.InvalidError
		if err := try(lead, engine.RecordDecision{Subject: "S", Model: "majority", Outcome: "ja", Adopted: true}); !errors.As(err, &inv) || inv.Field != "body" {
			t.Fatalf("adopted without a body: %v", err)
		}
		h.do(lead, id, engine.RecordDecision{Subject: "Strategie", Model: "council_resolution", Outcome: "beschlossen", Body: "council", Adopted: true})
		h.do(lead, id, engine.Advance{})
	})
	t.Run("indicator_values_against_baseline_and_target", func(t *testing.T) {
		if err := try(lead, engine.Complete{}); refusedBy(err) != "gates_not_met" {
			t.Fatalf("completes at the baseline: %v", err)
		}
		day := h.clock.Now()
		h.do(member, id, engine.RecordIndicatorValue{Indicator: "ausbildungsquote", Value: 5.1, Date: day.AddDate(0, -6, 0), Source: "BA 2025/1"})
		h.do(member, id, engine.RecordIndicatorValue{Indicator: "ausbildungsquote", Value: 6.2, Date: day, Source: "BA 2025/2"})
		var inv *process.InvalidError
		if err := try(member, engine.RecordIndicatorValue{Indicator: "ausbildungsquote", Value: 9, Date: day.AddDate(0, 1, 0), Source: "x"}); !errors.As(err, &inv) || inv.Field != "date" {
			t.Fatalf("a value in the future: %v", err)
		}
		if err := try(member, engine.RecordIndicatorValue{Indicator: "ausbildungsquote", Value: 9, Date: day}); !errors.As(err, &inv) || inv.Field != "source" {
			t.Fatalf("a value without source: %v", err)
		}
		p := h.state(id)
		tpl, _ := h.engine.Template(h.ctx, h.state(id).TemplateID, 0)
		ind, _ := p.IndicatorOf(tpl.Template, "ausbildungsquote")
		if latest := p.Latest(ind); latest.Value != 6.2 || !process.Reached(ind, latest.Value) || p.Collab.Values["ausbildungsquote"][1].By != member.User {
			t.Fatalf("latest %+v", latest)
		}
		h.do(lead, id, engine.Complete{})
	})
}

func TestAttendance_certificate_and_feedback(t *testing.T) {
	h := newHarness(t)
	id := collabProcess(t, h)
	day := h.clock.Now()
	for i := range 6 {
		s := string(rune('1' + i))
		h.do(lead, id, engine.ScheduleSession{Session: "m" + s, Title: "Modul " + s, Format: "training", Date: day, Place: "Leipzig"})
		h.do(lead, id, engine.HoldSession{Session: "m" + s, Attendance: 3})
		attendees := []string{"anna", "ben"}
		if i < 4 {
			attendees = append(attendees, "cem") // cem misses two modules
		}
		h.do(member, id, engine.RecordAttendance{Session: "m" + s, Participants: attendees})
	}
	tpl, _ := h.engine.Template(h.ctx, h.state(id).TemplateID, 0)
	t.Run("certificate_only_with_enough_modules", func(t *testing.T) {
		p := h.state(id)
		rec, err := p.Certificate(tpl.Template, "reihe", "anna")
		if err != nil || len(rec.Attended) != 6 || rec.Held != 6 {
			t.Fatalf("anna: %+v %v", rec, err)
		}
		if _, err := p.Certificate(tpl.Template, "reihe", "cem"); refusedBy(err) != "not_enough_sessions" || !strings.Contains(err.Error(), "4 von mindestens 5") {
			t.Fatalf("cem with four modules: %v", err)
		}
	})
	t.Run("attendance_needs_registered_participants_and_a_held_session", func(t *testing.T) {
		var inv *process.InvalidError
		if _, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.RecordAttendance{Session: "m1", Participants: []string{"niemand"}}); !errors.As(err, &inv) || inv.Field != "participants" {
			t.Fatalf("%v", err)
		}
		h.do(lead, id, engine.ScheduleSession{Session: "later", Title: "Später", Format: "training", Date: day.AddDate(0, 1, 0), Online: true})
		if _, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.RecordAttendance{Session: "later", Participants: []string{"anna"}}); refusedBy(err) != "session_not_held" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("feedback_ratings_per_question_with_sealed_text", func(t *testing.T) {
		h.do(member, id, engine.GiveFeedback{Session: "m1", Participant: "anna", Ratings: map[string]int{"nutzen": 5}, Text: "Sehr hilfreich, Anna"})
		h.do(member, id, engine.GiveFeedback{Session: "m1", Participant: "ben", Ratings: map[string]int{"nutzen": 3}})
		var inv *process.InvalidError
		if _, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.GiveFeedback{Session: "m1", Participant: "cem", Ratings: map[string]int{"nutzen": 6}}); !errors.As(err, &inv) || inv.Field != "ratings" {
			t.Fatalf("a rating beyond the scale: %v", err)
		}
		if _, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.GiveFeedback{Session: "m1", Participant: "anna", Ratings: map[string]int{"nutzen": 1}}); refusedBy(err) != "feedback_given" {
			t.Fatalf("feedback twice: %v", err)
		}
		p := h.state(id)
		if f := p.Facts(tpl.Template, day); f.Feedback.Count != 2 || f.Feedback.Average["nutzen"] != 4 {
			t.Fatalf("feedback facts %+v", f.Feedback)
		}
	})
	t.Run("erasure_removes_the_person_without_breaking_counts", func(t *testing.T) {
		h.do(lead, id, engine.FormTeam{Team: "t", Kind: "entwicklungsteam", Name: "Team Anna und Ben"})
		h.do(member, id, engine.JoinTeam{Team: "t", Participant: "anna"})
		h.do(member, id, engine.JoinTeam{Team: "t", Participant: "ben"})
		before := h.state(id).Facts(tpl.Template, day)
		if err := h.engine.ErasePerson(h.ctx, h.meta(admin), h.state(id).Participants["anna"].Person); err != nil {
			t.Fatal(err)
		}
		p := h.state(id)
		after := p.Facts(tpl.Template, day)
		if after.Attendance.Records != before.Attendance.Records || after.Attendance.Persons != before.Attendance.Persons ||
			after.Feedback.Count != 2 || after.Feedback.Average["nutzen"] != 4 {
			t.Fatalf("attendance or feedback counts changed: %+v %+v → %+v %+v", before.Attendance, before.Feedback, after.Attendance, after.Feedback)
		}
		// The team keeps Ben alone: it still counts as a team, one member fewer, no longer
		// complete (an Entwicklungsteam has exactly two).
		if after.Teams.Count != before.Teams.Count || after.Teams.Members != before.Teams.Members-1 || after.Teams.ByTeam["t"] != 1 ||
			after.Teams.Complete != before.Teams.Complete-1 || after.Teams.Incomplete != before.Teams.Incomplete+1 {
			t.Fatalf("teams %+v → %+v, want anna's membership ended", before.Teams, after.Teams)
		}
		if _, in := p.Collab.TeamOf("anna", "entwicklungsteam"); in {
			t.Fatal("anna is still in a team")
		}
		left := 0
		for _, ev := range events(t, h, id) {
			if ev.Type != (process.TeamMemberLeft{}).Type() {
				continue
			}
			pl, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
			if l := pl.(process.TeamMemberLeft); err == nil && l.Participant == "anna" && l.Reason == process.ErasureReason && ev.Metadata.Actor == admin.User {
				left++
			}
		}
		if left != 1 {
			t.Fatalf("%d erasure leavings of anna in the history, want 1", left)
		}
		if err := h.engine.ErasePerson(h.ctx, h.meta(admin), p.Participants["anna"].Person); err != nil {
			t.Fatalf("erasing again: %v", err)
		}
		if v := h.state(id).Version; v != p.Version {
			t.Fatalf("erasing again wrote events: version %d → %d", p.Version, v)
		}
		if got := h.engine.Reveal(h.ctx, p.Participants["anna"].Name); got != engine.Erased {
			t.Fatalf("anna's name reads %q", got)
		}
		for _, f := range p.Collab.Feedback {
			if f.Participant == "anna" && h.engine.Reveal(h.ctx, f.Text) != engine.Erased {
				t.Fatal("anna's feedback text is still readable")
			}
		}
	})
}

func TestErasure_ends_team_memberships_and_roles_even_in_a_closed_process(t *testing.T) {
	h := newHarness(t)
	id := collabProcess(t, h)
	h.do(lead, id, engine.FormTeam{Team: "lt", Kind: "loesungsteam", Name: "Lösungsteam Nord"})
	for _, x := range []string{"anna", "ben", "cem"} {
		h.do(member, id, engine.JoinTeam{Team: "lt", Participant: x})
	}
	h.do(lead, id, engine.TakeRole{Role: "backbone", Participant: "anna"})
	h.do(lead, id, engine.Cancel{Reason: "Förderung beendet"})
	if err := h.engine.ErasePerson(h.ctx, h.meta(admin), h.state(id).Participants["anna"].Person); err != nil {
		t.Fatal(err)
	}
	p := h.state(id)
	if got := p.Collab.Teams["lt"].Members; len(got) != 2 || slices.Contains(got, "anna") {
		t.Fatalf("team members %v, want ben and cem", got)
	}
	if got := p.Collab.Roles["backbone"]; len(got) != 0 {
		t.Fatalf("backbone holders %v, want none", got)
	}
	if _, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.JoinTeam{Team: "lt", Participant: "anna"}); refusedBy(err) != "closed" {
		t.Fatalf("the closed process takes commands again: %v", err)
	}
}
