package httpapi

import (
	"context"
	"maps"
	"sort"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// collabCommands are the process commands of teams, roles, organisations, indicators,
// attendance and feedback, served beside the others (views.go) and added to the OpenAPI
// document's command enum.
var collabCommands = map[string]func() engine.Command{
	"form_team":              func() engine.Command { return &engine.FormTeam{} },
	"join_team":              func() engine.Command { return &engine.JoinTeam{} },
	"leave_team":             func() engine.Command { return &engine.LeaveTeam{} },
	"assign_coach":           func() engine.Command { return &engine.AssignCoach{} },
	"take_role":              func() engine.Command { return &engine.TakeRole{} },
	"release_role":           func() engine.Command { return &engine.ReleaseRole{} },
	"join_organisation":      func() engine.Command { return &engine.JoinOrganisation{} },
	"declare_indicator":      func() engine.Command { return &engine.DeclareIndicator{} },
	"record_indicator_value": func() engine.Command { return &engine.RecordIndicatorValue{} },
	"record_attendance":      func() engine.Command { return &engine.RecordAttendance{} },
	"give_feedback":          func() engine.Command { return &engine.GiveFeedback{} },
}

func init() { maps.Copy(commands, collabCommands) }

type teamView struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
	Coach   string   `json:"coach,omitempty"`
	// Complete says whether the team keeps its kind's size rule (and has a coach if it needs one).
	Complete bool   `json:"complete"`
	SizeRule string `json:"size_rule"`
}

type organisationView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Group        string `json:"group"`
	ContactName  string `json:"contact_name,omitempty"`
	ContactEmail string `json:"contact_email,omitempty"`
}

type indicatorView struct {
	template.Indicator
	Measure string                           `json:"measure,omitempty"`
	Latest  template.Measurement             `json:"latest"`
	Reached bool                             `json:"reached"`
	Values  []process.IndicatorValueRecorded `json:"values"`
}

type feedbackView struct {
	Session string             `json:"session"`
	Count   int                `json:"count"`
	Average map[string]float64 `json:"average"`
}

// collabView is the process's teams, roles, organisations, indicators, attendance and feedback.
// Participants appear by their IDs; contacts' names only for those who see personal data;
// feedback only as counts and averages.
type collabView struct {
	Teams         []teamView          `json:"teams"`
	Roles         map[string][]string `json:"roles"`
	Organisations []organisationView  `json:"organisations"`
	Indicators    []indicatorView     `json:"indicators"`
	Attendance    map[string][]string `json:"attendance"`
	Feedback      []feedbackView      `json:"feedback"`
}

func (a *API) collabView(ctx context.Context, p *process.Process, tpl template.Template, actor process.Actor) collabView {
	v := collabView{Teams: []teamView{}, Roles: map[string][]string{}, Organisations: []organisationView{}, Indicators: []indicatorView{},
		Attendance: map[string][]string{}, Feedback: []feedbackView{}}
	for _, t := range p.Collab.Teams {
		kind, _ := tpl.TeamKind(t.Kind)
		n := len(t.Members)
		v.Teams = append(v.Teams, teamView{ID: t.Team, Kind: t.Kind, Name: t.Name, Members: append([]string{}, t.Members...), Coach: t.Coach,
			Complete: n >= kind.Min && n <= kind.Max && (!kind.Coached || t.Coach != ""), SizeRule: process.SizeRule(kind, "de")})
	}
	sort.Slice(v.Teams, func(i, j int) bool { return v.Teams[i].ID < v.Teams[j].ID })
	maps.Copy(v.Roles, p.Collab.Roles)
	for _, o := range p.Collab.Organisations {
		ov := organisationView{ID: o.Organisation, Name: o.Name, Group: o.Group}
		if seesPersonalData(actor) {
			ov.ContactName, ov.ContactEmail = a.reveal(ctx, o.ContactName), a.reveal(ctx, o.ContactEmail)
		}
		v.Organisations = append(v.Organisations, ov)
	}
	sort.Slice(v.Organisations, func(i, j int) bool { return v.Organisations[i].ID < v.Organisations[j].ID })
	for _, ind := range p.Indicators(tpl) {
		latest := p.Latest(ind)
		iv := indicatorView{Indicator: ind, Measure: p.Collab.Indicators[ind.Key].Measure, Latest: latest, Reached: process.Reached(ind, latest.Value),
			Values: append([]process.IndicatorValueRecorded{}, p.Collab.Values[ind.Key]...)}
		v.Indicators = append(v.Indicators, iv)
	}
	maps.Copy(v.Attendance, p.Collab.Attendance)
	v.Feedback = feedbackBySession(p)
	return v
}

// feedbackBySession averages the ratings of each session's feedback, by question.
func feedbackBySession(p *process.Process) []feedbackView {
	by := map[string]*feedbackView{}
	counts := map[string]map[string]int{}
	for _, f := range p.Collab.Feedback {
		fv := by[f.Session]
		if fv == nil {
			fv = &feedbackView{Session: f.Session, Average: map[string]float64{}}
			by[f.Session], counts[f.Session] = fv, map[string]int{}
		}
		fv.Count++
		for q, r := range f.Ratings {
			fv.Average[q] += float64(r)
			counts[f.Session][q]++
		}
	}
	out := []feedbackView{}
	for s, fv := range by {
		for q := range fv.Average {
			fv.Average[q] /= float64(counts[s][q])
		}
		out = append(out, *fv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Session < out[j].Session })
	return out
}
