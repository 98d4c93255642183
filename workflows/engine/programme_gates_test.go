package engine_test

import (
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

// siteTemplate's series stage needs the site at two of the programme's workshops.
const siteTemplate = `
id: standort-test
title: {de: Standort, en: site}
stages:
  - key: reihe
    title: {de: Werkstattreihe, en: workshop series}
    gates:
      - key: in_programme
        title: {de: Der Standort nimmt am Programm teil, en: the site takes part in the programme}
        expr: 'programme.member'
      - key: two_workshops
        title: {de: Zwei gemeinsame Workshops besucht, en: two shared workshops attended}
        expr: 'programme.attended_by_format[?"workshop"].orValue(0) >= 2 && programme.held >= 2'
  - key: strategie
    title: {de: Strategie, en: strategy}
`

func TestProgramme_gates_read_the_sites_attendance_at_shared_sessions(t *testing.T) {
	h := newHarness(t)
	tpl, err := templates.ParseAndValidate([]byte(siteTemplate), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), tpl); err != nil {
		t.Fatal(err)
	}
	res, err := h.engine.OpenProgramme(h.ctx, h.meta(coordinator), engine.OpenProgramme{Title: "EWS Runde 3", Coordinator: "KSI",
		Start: h.clock.Now(), End: h.clock.Now().AddDate(1, 0, 0), MaxSites: 10})
	if err != nil {
		t.Fatal(err)
	}
	prog := res.Programme
	site, err := h.engine.Open(h.ctx, h.meta(siteLead("menden")), engine.OpenProcess{Template: "standort-test", Title: "Menden"})
	if err != nil {
		t.Fatal(err)
	}
	advance := func() error {
		_, err := h.engine.Do(h.ctx, h.meta(siteLead("menden")), site.Process, engine.NoExpectation, engine.Advance{})
		return err
	}
	unmet := func(err error) string { // the refusal names every unmet gate
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if err := advance(); err == nil || !strings.Contains(unmet(err), "nimmt am Programm teil") {
		t.Fatalf("a site outside any programme advanced or was refused for another reason: %v", err)
	}
	mustP := func(a process.Actor, cmd engine.ProgrammeCommand) {
		t.Helper()
		if _, err := h.engine.DoProgramme(h.ctx, h.meta(a), prog, engine.NoExpectation, cmd); err != nil {
			t.Fatalf("%s: %v", cmd.Name(), err)
		}
	}
	mustP(siteLead("menden"), engine.JoinProgramme{Process: site.Process.String()})
	for _, w := range []string{"w1", "w2"} {
		mustP(coordinator, engine.ScheduleProgrammeSession{Session: w, Title: "Workshop " + w, Format: "workshop", Date: h.clock.Now(), Online: true})
		mustP(coordinator, engine.HoldProgrammeSession{Session: w})
	}
	mustP(siteLead("menden"), engine.RecordProgrammeAttendance{Session: "w1", Persons: []string{"p-1", "p-2"}})
	err = advance()
	if err == nil || strings.Contains(unmet(err), "nimmt am Programm teil") || !strings.Contains(unmet(err), "Zwei gemeinsame Workshops") {
		t.Fatalf("after one workshop: %v, want only the two-workshop gate unmet", err)
	}
	p, _ := h.engine.Load(h.ctx, siteLead("menden"), site.Process)
	facts, err := h.engine.ProgrammeFacts(h.ctx, p)
	if err != nil || !facts.Member || facts.Held != 2 || facts.Attended != 1 || facts.Attendances != 2 || facts.AttendedByFormat["workshop"] != 1 {
		t.Fatalf("programme facts %+v (%v)", facts, err)
	}
	conds, err := h.engine.ExitConditions(h.ctx, p)
	if err != nil || len(conds) != 2 || !conds[0].Met || conds[1].Met {
		t.Fatalf("the page's exit conditions %+v (%v), want membership met and the workshops not", conds, err)
	}
	mustP(siteLead("menden"), engine.RecordProgrammeAttendance{Session: "w2", Persons: []string{"p-1"}})
	if err := advance(); err != nil {
		t.Fatalf("after two workshops: %v", err)
	}
	t.Run("a_site_that_left_is_no_member", func(t *testing.T) {
		mustP(siteLead("menden"), engine.LeaveProgramme{Process: site.Process.String(), Reason: "Förderung beendet"})
		if f, _ := h.engine.ProgrammeFacts(h.ctx, p); f.Member || f.Held != 0 {
			t.Fatalf("facts after leaving %+v", f)
		}
	})
}
