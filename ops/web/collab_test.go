package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
)

const indicatorTemplate = `id: ziel-test
title: {de: Zielsystem, en: goal system}
team_kinds:
  - {key: entwicklungsteam, title: {de: Entwicklungsteam, en: development team}, min: 2, max: 2}
indicators:
  - key: quote
    name: {de: Ausbildungsquote, en: apprenticeship rate}
    unit: "%"
    direction: increase
    baseline: {value: 4, date: "2024-01-01T00:00:00Z", source: BA}
    target: {value: 6, date: "2026-12-31T00:00:00Z"}
feedback_questions:
  - {key: nutzen, text: {de: Nutzen, en: usefulness}, scale: 5}
certificates:
  - {key: reihe, title: {de: Werkstattreihe, en: workshop series}, format: workshop, min_attended: 1}
stages:
  - {key: arbeit, title: {de: Arbeit, en: work}}
`

// indicatorProcess opens a Leipzig process with an Entwicklungsteam, an indicator with two
// values, a held session with attendance and feedback.
func (s *site) indicatorProcess() uuid.UUID {
	s.t.Helper()
	ctx := context.Background()
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: s.store, Vault: s.store.Vault(), Gates: g, Clock: func() time.Time { return now }})
	if err != nil {
		s.t.Fatal(err)
	}
	tpl, err := templates.ParseAndValidate([]byte(indicatorTemplate), g)
	if err != nil {
		s.t.Fatal(err)
	}
	admin := process.Meta{Actor: process.Actor{User: "admin", Tenant: "leipzig", Role: "administrator"}}
	if _, err := eng.PublishTemplate(ctx, admin, tpl); err != nil {
		s.t.Fatal(err)
	}
	lead := process.Meta{Actor: process.Actor{User: "lead-leipzig", Tenant: "leipzig", Role: "lead"}}
	res, err := eng.Open(ctx, lead, engine.OpenProcess{Template: "ziel-test", Title: "Zielsystem Jugendhilfe"})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, cmd := range []engine.Command{
		engine.RegisterParticipant{Participant: "a", Group: "administration", Name: "Alma Geheim"},
		engine.RegisterParticipant{Participant: "b", Group: "administration", Name: "Bodo Geheim"},
		engine.FormTeam{Team: "et", Kind: "entwicklungsteam", Name: "Team Leipzig"},
		engine.JoinTeam{Team: "et", Participant: "a"},
		engine.JoinTeam{Team: "et", Participant: "b"},
		engine.RecordIndicatorValue{Indicator: "quote", Value: 4.5, Date: now.AddDate(0, -6, 0), Source: "BA 2025/1"},
		engine.RecordIndicatorValue{Indicator: "quote", Value: 5.2, Date: now, Source: "BA 2025/2"},
		engine.ScheduleSession{Session: "w", Title: "Werkstatt", Format: "workshop", Date: now, Place: "Leipzig"},
		engine.HoldSession{Session: "w", Attendance: 2},
		engine.RecordAttendance{Session: "w", Participants: []string{"a", "b"}},
		engine.GiveFeedback{Session: "w", Participant: "a", Ratings: map[string]int{"nutzen": 4}, Text: "Alma meint: gut"},
		engine.GiveFeedback{Session: "w", Participant: "b", Ratings: map[string]int{"nutzen": 5}},
	} {
		if _, err := eng.Do(ctx, lead, res.Process, engine.NoExpectation, cmd); err != nil {
			s.t.Fatalf("%s: %v", cmd.Action(), err)
		}
	}
	return res.Process
}

func TestProcessPage_shows_teams_indicators_attendance_and_feedback(t *testing.T) {
	s := newSite(t)
	id := s.indicatorProcess()
	t.Run("the_indicator_is_drawn_against_baseline_and_target_with_a_text_alternative", func(t *testing.T) {
		b := s.browser()
		b.signIn("member@leipzig")
		p := b.get("/processes/" + id.String())
		for _, want := range []string{`class="indicator"`, `class="baseline"`, `class="target"`, `<polyline points="`,
			"Ausbildungsquote: Ausgangswert 4 % am", "Zielwert 6 % bis", "zuletzt 5.2 % am", "Ziel noch nicht erreicht",
			"BA 2025/2", "Team Leipzig", "genau 2 Mitglieder", "Alma Geheim", "4.5 / 5", "Werkstatt"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("process page lacks %q", want)
			}
		}
		if strings.Contains(p.body, "Alma meint") {
			t.Error("a feedback text is shown")
		}
	})
	t.Run("viewers_see_figures_but_no_names", func(t *testing.T) {
		b := s.browser()
		b.signIn("viewer@leipzig")
		p := b.get("/processes/" + id.String())
		if strings.Contains(p.body, "Alma Geheim") || !strings.Contains(p.body, "Team Leipzig") || !strings.Contains(p.body, "class=\"indicator\"") {
			t.Fatal("viewer's page shows names or lacks the figures")
		}
	})
	t.Run("in_english", func(t *testing.T) {
		b := s.browser()
		b.signIn("member@leipzig")
		if p := b.get("/processes/" + id.String() + "?lang=en"); !strings.Contains(p.body, "apprenticeship rate: baseline 4 %") || strings.Contains(p.body, "??") {
			t.Fatal("the English page lacks the indicator's description")
		}
	})
}

func TestAttendancePage_lists_the_sessions_and_links_the_certificate_for_the_administration(t *testing.T) {
	s := newSite(t)
	id := s.indicatorProcess().String()
	page := "/processes/" + id + "/participants/a/attendance"
	cert := "/processes/" + id + "/participants/a/certificates/reihe"
	b := s.browser()
	b.signIn("member@leipzig")
	if p := b.get("/processes/" + id); !strings.Contains(p.body, `href="`+page+`"`) {
		t.Fatalf("the process page does not link the attendance record:\n%s", p.body)
	}
	p := b.get(page)
	for _, want := range []string{"Teilnahmenachweis: Alma Geheim", "Werkstatt", "Werkstattreihe", `href="` + cert + `"`} {
		if p.status != 200 || !strings.Contains(p.body, want) {
			t.Fatalf("%d: the attendance page lacks %q:\n%s", p.status, want, p.body)
		}
	}
	if c := b.get(cert); c.status != 200 || !strings.Contains(c.body, "Alma Geheim") {
		t.Fatalf("certificate: %d", c.status)
	}
	if c := b.get("/processes/" + id + "/participants/a/certificates/keine"); c.status != 404 {
		t.Fatalf("an unknown certificate: %d", c.status)
	}
	for who, want := range map[string]int{"viewer@leipzig": 403, "lead@menden": 404} {
		o := s.browser()
		o.signIn(who)
		if p := o.get(page); p.status != want || strings.Contains(p.body, "Alma") {
			t.Errorf("%s: %d, want %d without the name", who, p.status, want)
		}
	}
}

// attendancePages are a participant's attendance record and certificate an auditor of Leipzig
// reads.
func attendancePages(s *site) []auditedPage {
	id := s.indicatorProcess().String()
	record := "/processes/" + id + "/participants/a/attendance"
	cert := "/processes/" + id + "/participants/a/certificates/reihe"
	return []auditedPage{
		{"attendance record", "GET /processes/{id}/participants/{participant}/attendance", record, record, "", id},
		{"certificate", "GET /processes/{id}/participants/{participant}/certificates/{certificate}", cert, cert, "", id},
	}
}
