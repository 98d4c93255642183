package templates_test

import (
	"errors"
	"testing"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

const periods = `id: fristen
title: {de: Fristen, en: Periods}
calendar: DE-SN
time_zone: Europe/Berlin
dates:
  - key: announced_at
    title: {de: Bekanntmachung, en: Announcement}
stages:
  - key: announcement
    title: {de: Bekanntmachung, en: Announcement}
  - key: publication
    title: {de: Veröffentlichung, en: Publication}
    gates:
      - key: period_over
        title: {de: Frist abgelaufen, en: Period over}
        expr: 'deadlines.publication.met && now > dates.announced_at'
deadlines:
  - key: notice
    title: {de: Bekanntmachung eine Woche vorher, en: Announced a week ahead}
    stage: publication
    kind: notice
    anchor: {date: announced_at}
    days: 1
    unit: weeks
    legal_basis: "§ 3 Abs. 2 Satz 4 BauGB"
  - key: publication
    title: {de: Veröffentlichungsfrist, en: Publication period}
    stage: publication
    kind: minimum
    days: 30
    calendar: DE-NW
    legal_basis: "§ 3 Abs. 2 Satz 1 BauGB"
  - key: old_form
    title: {de: Alte Form, en: Old form}
    stage: announcement
    min_days: 7
`

func TestParse_reads_periods_as_rules(t *testing.T) {
	tpl, err := templates.ParseAndValidate([]byte(periods), gates(t))
	if err != nil {
		t.Fatal(err)
	}
	rules := tpl.Rules()
	if len(rules) != 3 {
		t.Fatalf("%d rules, want 3", len(rules))
	}
	for _, tc := range []struct {
		name     string
		rule     template.Rule
		anchor   template.Anchor
		length   period.Length
		calendar string
		enforced bool
	}{
		{"notice_starts_at_the_named_date", rules[0], template.Anchor{Date: "announced_at"}, period.Length{Count: 1, Unit: period.Weeks}, "DE-SN", true},
		{"minimum_starts_at_its_stage_entry_in_its_own_calendar", rules[1], template.Anchor{Entered: "publication"}, period.Length{Count: 30, Unit: period.Days}, "DE-NW", true},
		{"old_min_days_become_a_documenting_minimum", rules[2], template.Anchor{Entered: "announcement"}, period.Length{Count: 7, Unit: period.Days}, "DE-SN", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rule
			if r.Anchor != tc.anchor || r.Length != tc.length || r.Calendar != tc.calendar || r.Enforced != tc.enforced || r.TimeZone != "Europe/Berlin" {
				t.Errorf("rule %+v", r)
			}
		})
	}
}

func TestValidate_reports_every_time_problem_with_line_and_column(t *testing.T) {
	doc := `id: fristen
title: {de: Fristen, en: Periods}
calendar: DE-XY
time_zone: Europe/Berlinn
stages:
  - key: publication
    title: {de: Veröffentlichung, en: Publication}
    gates:
      - key: g
        title: {de: G, en: G}
        expr: 'deadlines.publikation.met'
deadlines:
  - key: notice
    title: {de: Ankündigung, en: Notice}
    stage: publication
    kind: notice
    days: 7
  - key: publication
    title: {de: Frist, en: Period}
    stage: publication
    kind: minimal
    days: 0
    anchor: {date: announced_at}
    time_zone: Mars/Olympus
`
	_, err := templates.ParseAndValidate([]byte(doc), gates(t))
	var ve *template.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	want := []template.Problem{
		{Path: "calendar", Line: 3, Column: 11},
		{Path: "time_zone", Line: 4, Column: 12},
		{Path: "deadlines[0].anchor", Line: 13, Column: 5},
		{Path: "deadlines[1].time_zone", Line: 24, Column: 16},
		{Path: "deadlines[1].kind", Line: 21, Column: 11},
		{Path: "deadlines[1].days", Line: 22, Column: 11},
		{Path: "deadlines[1].anchor.date", Line: 23, Column: 20},
		{Path: "stages[0].gates[0].expr", Line: 11, Column: 15},
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ve.Problems), len(want), err)
	}
	for i, w := range want {
		t.Run(w.Path, func(t *testing.T) {
			p := ve.Problems[i]
			if p.Path != w.Path || p.Line != w.Line || p.Column != w.Column || p.Message == "" {
				t.Errorf("problem %d = %+v, want %s at %d:%d", i, p, w.Path, w.Line, w.Column)
			}
		})
	}
}
