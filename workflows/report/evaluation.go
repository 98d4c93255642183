package report

import (
	"sort"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Evaluation is what a process's teams, attendance, feedback and indicators add up to, without
// personal data: counts, averages and values. It is absent for a process that has none of them.
type Evaluation struct {
	Teams      []TeamSummary      `json:"teams,omitempty"`
	Attendance []SessionSummary   `json:"attendance,omitempty"`
	Feedback   []FeedbackSummary  `json:"feedback,omitempty"`
	Indicators []IndicatorSummary `json:"indicators,omitempty"`
}

// TeamSummary is a team with its size and whether it keeps its kind's rule.
type TeamSummary struct {
	Team     string `json:"team"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Members  int    `json:"members"`
	Coached  bool   `json:"coached"`
	SizeRule string `json:"size_rule"`
	Complete bool   `json:"complete"`
}

// SessionSummary is a session's recorded attendance in persons.
type SessionSummary struct {
	Session string `json:"session"`
	Title   string `json:"title"`
	Persons int    `json:"persons"`
}

// FeedbackSummary is a session's feedback: how many gave it and the average per question.
type FeedbackSummary struct {
	Session string             `json:"session"`
	Count   int                `json:"count"`
	Average map[string]float64 `json:"average"`
}

// IndicatorSummary is an indicator with its baseline, target and latest value.
type IndicatorSummary struct {
	Key      string               `json:"key"`
	Name     template.Text        `json:"name"`
	Unit     string               `json:"unit"`
	Baseline template.Measurement `json:"baseline"`
	Target   template.Measurement `json:"target"`
	Latest   template.Measurement `json:"latest"`
	Values   int                  `json:"values"`
	Reached  bool                 `json:"reached"`
}

// evaluation sums up the replayed process against its template version.
func (d *derivation) evaluation(p *process.Process) {
	tpl := d.templates[p.TemplateVersion]
	var e Evaluation
	for _, t := range p.Collab.Teams {
		kind, _ := tpl.TeamKind(t.Kind)
		n := len(t.Members)
		e.Teams = append(e.Teams, TeamSummary{Team: t.Team, Name: t.Name, Kind: t.Kind, Members: n, Coached: t.Coach != "",
			SizeRule: process.SizeRule(kind, "de"), Complete: n >= kind.Min && n <= kind.Max && (!kind.Coached || t.Coach != "")})
	}
	sort.Slice(e.Teams, func(i, j int) bool { return e.Teams[i].Team < e.Teams[j].Team })
	for key, xs := range p.Collab.Attendance {
		e.Attendance = append(e.Attendance, SessionSummary{Session: key, Title: p.Sessions[key].Title, Persons: len(xs)})
	}
	sort.Slice(e.Attendance, func(i, j int) bool { return e.Attendance[i].Session < e.Attendance[j].Session })
	e.Feedback = feedbackSummaries(p)
	for _, ind := range p.Indicators(tpl) {
		latest := p.Latest(ind)
		e.Indicators = append(e.Indicators, IndicatorSummary{Key: ind.Key, Name: ind.Name, Unit: ind.Unit, Baseline: ind.Baseline,
			Target: ind.Target, Latest: latest, Values: len(p.Collab.Values[ind.Key]), Reached: process.Reached(ind, latest.Value)})
	}
	if len(e.Teams)+len(e.Attendance)+len(e.Feedback)+len(e.Indicators) > 0 {
		d.c.Evaluation = &e
	}
}

func feedbackSummaries(p *process.Process) []FeedbackSummary {
	by := map[string]*FeedbackSummary{}
	counts := map[string]map[string]int{}
	for _, f := range p.Collab.Feedback {
		s := by[f.Session]
		if s == nil {
			s = &FeedbackSummary{Session: f.Session, Average: map[string]float64{}}
			by[f.Session], counts[f.Session] = s, map[string]int{}
		}
		s.Count++
		for q, r := range f.Ratings {
			s.Average[q] += float64(r)
			counts[f.Session][q]++
		}
	}
	var out []FeedbackSummary
	for key, s := range by {
		for q := range s.Average {
			s.Average[q] /= float64(counts[key][q])
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Session < out[j].Session })
	return out
}
