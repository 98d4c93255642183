package demo

import (
	"fmt"
	"sort"

	"github.com/civicflow/civicflow/domain/process"
)

// act is one piece of work in a stage; a stage's last act leaves it (advance or complete).
type act func(p *proc)

// play runs the stages' acts in order up to stage stop, of which it runs the first k acts (all
// when k < 0). enter[i] is the earliest day the process enters stage i (0: no constraint); the
// cursor moves there before the act that leaves stage i-1.
func play(p *proc, stages [][]act, enter []int, stop, k int) {
	for i, acts := range stages[:stop+1] {
		for j, a := range acts {
			if i == stop && k >= 0 && j >= k {
				return
			}
			if j == len(acts)-1 && i+1 < len(enter) {
				p.at(max(p.day, enter[i+1]))
			}
			a(p)
		}
	}
}

// Content shared by the playbooks of all templates.
type (
	// gathering is a session with its attendance, minutes and the contributions made there.
	gathering struct {
		meeting
		Attendance    int
		Notes         string
		Contributions []contribution
	}
	// contribution is a contribution by participant By (0: anonymous, recorded by the team).
	contribution struct {
		By          int
		Topic, Text string
	}
	decision struct {
		Subject, Model, Outcome string
		Votes                   *process.Votes
	}
	result struct{ Title, Summary, URL string }
	// plan is a measure with its progress reports.
	plan struct {
		Title, Owner string
		Due          int
		Reports      []report
	}
	// report is a progress report After days from the measure's definition.
	report struct {
		After, Progress int
		Status, Note    string
	}
)

// groupNames maps the letters of a participant pattern to stakeholder groups.
var groupNames = map[rune]string{
	'c': "citizens", 'p': "politics", 'b': "business", 'z': "civil_society",
	'a': "administration", 's': "science", 'y': "youth",
	't': "authorities", 'n': "neighbouring_municipalities", // the land-use planning template's own groups
}

// groups turns a pattern such as "ccpza" into stakeholder groups.
func groups(pattern string) []string {
	var out []string
	for _, c := range pattern {
		g, ok := groupNames[c]
		if !ok {
			panic(fmt.Sprintf("demo: unknown group letter %q", c))
		}
		out = append(out, g)
	}
	return out
}

// gather holds a gathering (scheduled g.In days ahead) and records its contributions.
func (p *proc) gather(g gathering) {
	p.meet(g.meeting, g.Attendance, g.Notes)
	for i, c := range g.Contributions {
		p.contribute(fmt.Sprintf("%s-c%d", g.ID, i+1), g.ID, c.By, c.Topic, c.Text)
	}
}

func (p *proc) decideOn(id string, d decision) { p.decide(id, d.Subject, d.Model, d.Outcome, d.Votes) }

func (p *proc) publishResult(id string, r result) { p.publish(id, r.Title, r.Summary, r.URL) }

// carryOut defines the measures (m1, m2, …) and then reports their progress in time order,
// completing the task reportTask after the first report when it is not empty.
func (p *proc) carryOut(plans []plan, defineTask, defineEvidence, reportTask, reportEvidence string) {
	for i, m := range plans {
		p.measure(fmt.Sprintf("m%d", i+1), m.Title, m.Owner, m.Due)
	}
	if defineTask != "" {
		p.task(defineTask, defineEvidence)
	}
	type due struct {
		measure string
		report
	}
	var all []due
	for i, m := range plans {
		for _, r := range m.Reports {
			all = append(all, due{fmt.Sprintf("m%d", i+1), r})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].After < all[j].After })
	start := p.day
	for i, r := range all {
		p.at(max(p.day, start+r.After))
		p.progress(r.measure, r.Progress, r.Status, r.Note)
		if i == 0 && reportTask != "" {
			p.task(reportTask, reportEvidence)
		}
	}
}
