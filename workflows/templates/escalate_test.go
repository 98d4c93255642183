package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

func TestValidate_checks_escalate_days_with_line_and_column(t *testing.T) {
	doc := `id: eskalation
title: {de: Eskalation, en: Escalation}
stages:
  - key: publication
    title: {de: Veröffentlichung, en: Publication}
deadlines:
  - key: notice
    title: {de: Ankündigung, en: Notice}
    stage: publication
    kind: notice
    days: 7
    anchor: {left: publication}
    escalate_days: 2
  - key: publication
    title: {de: Frist, en: Period}
    stage: publication
    kind: maximum
    days: 30
    escalate_days: 0
  - key: ok
    title: {de: Frist, en: Period}
    stage: publication
    kind: minimum
    days: 30
    escalate_days: 400
  - key: old
    title: {de: Alt, en: Old}
    stage: publication
    min_days: 30
    escalate_days: 3
`
	_, err := templates.ParseAndValidate([]byte(doc), gates(t))
	var ve *template.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	want := []template.Problem{
		{Path: "deadlines[0].escalate_days", Line: 13, Column: 20},
		{Path: "deadlines[2].escalate_days", Line: 25, Column: 20},
		{Path: "deadlines[3].kind", Line: 26, Column: 5},
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
	if !strings.Contains(ve.Problems[1].Message, "400") {
		t.Errorf("message %q does not name the value", ve.Problems[1].Message)
	}
}

func TestParse_rejects_a_misspelt_escalate_days(t *testing.T) {
	doc := "id: x\ntitle: {de: X, en: X}\nstages: [{key: a, title: {de: A, en: A}}]\ndeadlines:\n  - {key: d, title: {de: D, en: D}, stage: a, kind: maximum, days: 3, escalate_day: 2}\n"
	if _, err := templates.Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), "escalate_day") {
		t.Fatalf("err = %v, want unknown field escalate_day", err)
	}
}
