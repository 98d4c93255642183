package process

import (
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// Kinds of exit conditions.
const (
	ConditionTask     = "task"
	ConditionApproval = "approval"
	ConditionGate     = "gate"
)

// Condition is one exit condition of the current stage: a required task, an approval or a gate,
// with whether it holds now. Advance and Complete refuse while any does not.
type Condition struct {
	// Kind is ConditionTask, ConditionApproval or ConditionGate.
	Kind string
	// Key is the task's, approval's or gate's key in the stage.
	Key string
	// Title names it, in German and English.
	Title template.Text
	// Met reports whether it holds.
	Met bool
	// Problem says why a gate could not be evaluated ("" when it could).
	Problem string
}

// Reason is the unmet condition in the user's words (German / English), as a refusal lists it.
func (c Condition) Reason() string {
	names := c.Title.De + " / " + c.Title.En + " (" + c.Key + ")"
	switch {
	case c.Kind == ConditionTask:
		return "Pflichtaufgabe offen / required task open: " + names
	case c.Kind == ConditionApproval:
		return "Freigabe fehlt / approval missing: " + names
	case c.Problem != "":
		return "Phasentor nicht auswertbar / gate cannot be evaluated: " + names + ": " + c.Problem
	}
	return "Phasentor nicht erfüllt / gate not met: " + names
}

// ExitConditions lists every exit condition of the current stage at time now, in the order a
// refusal names them: required tasks, approvals, gates.
func (p *Process) ExitConditions(tpl template.Template, gates GateEvaluator, now time.Time) []Condition {
	return p.ExitConditionsIn(tpl, gates, nil, now)
}

// ExitConditionsIn is ExitConditions with the gates' periods counted in cals (public holidays).
func (p *Process) ExitConditionsIn(tpl template.Template, gates GateEvaluator, cals period.Calendars, now time.Time) []Condition {
	stage, _ := tpl.Stage(p.Stage)
	var out []Condition
	for _, t := range stage.Tasks {
		if t.Required {
			_, done := p.Tasks[p.Stage][t.Key]
			out = append(out, Condition{Kind: ConditionTask, Key: t.Key, Title: t.Title, Met: done})
		}
	}
	for _, a := range stage.Approvals {
		_, ok := p.Approvals[p.Stage][a.Key]
		out = append(out, Condition{Kind: ConditionApproval, Key: a.Key, Title: a.Title, Met: ok})
	}
	facts := p.FactsIn(tpl, cals, now)
	for _, g := range stage.Gates {
		c := Condition{Kind: ConditionGate, Key: g.Key, Title: g.Title}
		ok, err := gates.Evaluate(g.Expr, facts)
		if err != nil {
			c.Problem = err.Error()
		}
		c.Met = ok && err == nil
		out = append(out, c)
	}
	return out
}

// unmetConditions lists, in the user's words, every exit condition of the current stage that does
// not hold: required tasks, approvals and gates.
func (p *Process) unmetConditions(tpl template.Template, gates GateEvaluator, m Meta) []string {
	var unmet []string
	for _, c := range p.ExitConditionsIn(tpl, gates, m.Calendars, m.Now) {
		if !c.Met {
			unmet = append(unmet, c.Reason())
		}
	}
	return unmet
}
