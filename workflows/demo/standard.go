package demo

import "github.com/civicflow/civicflow/workflows/engine"

// tplStandard is the default five-stage template.
const tplStandard = "beteiligung-standard"

// The stages of the default template, as indexes for play.
const (
	tender = iota
	conception
	execution
	followUp
	implementation
)

// standard is the content of a process on the default template.
type standard struct {
	n                int
	tenant, title    string
	programme        string
	open             int
	enter            []int // days of entering conception, execution, follow-up, implementation
	stop, k          int   // where the script leaves the process (see play)
	Subject, Scope   string
	Facilitation     string
	Call, Team       string
	Analysis, Design string
	Budget, Comms    string
	Approval         string
	// First and Rest are the participants registered before and after the first session.
	First, Rest   string
	Sessions      []gathering
	Evaluation    string
	Documentation string
	Feedback      string
	Decision      decision
	Result        result
	Measures      []plan
	// then adds steps after the playbook (an upcoming session, a suspension …).
	then func(p *proc)
}

// script returns the process's steps.
func (c standard) script() *proc {
	p := newProc(c.n, c.tenant, tplStandard, c.open, engine.OpenProcess{Title: c.title, Programme: c.programme})
	play(p, c.stages(), append([]int{0}, c.enter...), c.stop, c.k)
	if c.then != nil {
		c.then(p)
	}
	return p
}

func (c standard) stages() [][]act {
	return [][]act{
		{ // tender
			func(p *proc) { p.after(2).task("define_subject", c.Subject+". "+c.Scope) },
			func(p *proc) { p.after(5).task("choose_facilitation", c.Facilitation) },
			func(p *proc) { p.after(4).task("publish_call", c.Call) },
			func(p *proc) { p.after(9).task("select_team", c.Team) },
			func(p *proc) { p.advanceAfter(30) },
		},
		{ // conception
			func(p *proc) { p.after(6).task("stakeholder_analysis", c.Analysis) },
			func(p *proc) { p.after(8).task("choose_formats", c.Design) },
			func(p *proc) { p.after(5).task("schedule_budget", c.Budget) },
			func(p *proc) { p.after(3).task("communication_plan", c.Comms) },
			func(p *proc) { p.after(4).approve("department_head", c.Approval) },
			func(p *proc) { p.after(2).advance() },
		},
		c.executionActs(),
		{ // follow-up
			func(p *proc) { p.after(10).task("evaluate_contributions", c.Evaluation) },
			func(p *proc) {
				p.after(8).publishResult("r1", c.Result)
				p.task("publish_documentation", c.Documentation)
			},
			func(p *proc) { p.after(14).decideOn("d1", c.Decision) },
			func(p *proc) { p.after(5).task("feedback_participants", c.Feedback) },
			func(p *proc) { p.after(2).advance() },
		},
		{ // implementation
			func(p *proc) {
				p.after(7).carryOut(c.Measures, "define_measures", "Maßnahmenplan mit Zuständigkeiten und Terminen",
					"report_progress", "Fortschrittsbericht an den Ausschuss")
			},
			func(p *proc) { p.after(3).complete() },
		},
	}
}

// executionActs registers the first participants, holds the sessions (registering the rest
// after the first), completes the stage's tasks and advances.
func (c standard) executionActs() []act {
	acts := []act{func(p *proc) { p.after(3).register(groups(c.First)...) }}
	for i, g := range c.Sessions {
		acts = append(acts, func(p *proc) {
			p.after(2).gather(g)
			if i == 0 {
				p.after(4).register(groups(c.Rest)...)
			}
		})
	}
	return append(acts,
		func(p *proc) { p.after(3).task("register_participants", "Teilnehmendenliste (Stand {date})") },
		func(p *proc) {
			p.after(2).task("document_sessions", "Protokolle aller Veranstaltungen, im Beteiligungsportal abgelegt")
		},
		func(p *proc) { p.after(2).advance() },
	)
}
