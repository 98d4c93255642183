package engine

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
	"github.com/civicflow/civicflow/domain/template"
)

// Figures are a process's counts: what a programme's coordinators may see of a member site.
// They carry no personal data (no names, no texts, no users).
type Figures struct {
	Participants    int64            `json:"participants"`
	ByGroup         map[string]int64 `json:"by_group"`
	SessionsHeld    int64            `json:"sessions_held"`
	Attendees       int64            `json:"attendees"`
	Contributions   int64            `json:"contributions"`
	Decisions       int64            `json:"decisions"`
	Results         int64            `json:"results"`
	Measures        int64            `json:"measures"`
	MeasuresDone    int64            `json:"measures_done"`
	AverageProgress float64          `json:"average_progress"`
	// ProgrammeAttendance counts the site's persons at the programme's shared sessions.
	ProgrammeAttendance int64 `json:"programme_attendance"`
}

func (f *Figures) add(g Figures) {
	f.Participants += g.Participants
	for k, v := range g.ByGroup {
		f.ByGroup[k] += v
	}
	f.SessionsHeld += g.SessionsHeld
	f.Attendees += g.Attendees
	f.Contributions += g.Contributions
	f.Decisions += g.Decisions
	f.Results += g.Results
	f.Measures += g.Measures
	f.MeasuresDone += g.MeasuresDone
	f.ProgrammeAttendance += g.ProgrammeAttendance
}

// SiteFigures are one member site: its process's stage and, where the reader may see them, its
// figures.
type SiteFigures struct {
	Process        uuid.UUID      `json:"process"`
	Tenant         string         `json:"tenant"`
	Site           string         `json:"site"`
	Title          string         `json:"title"`
	Template       string         `json:"template"`
	Status         process.Status `json:"status"`
	Stage          string         `json:"stage"`
	StageTitle     template.Text  `json:"stage_title"`
	StageEnteredAt time.Time      `json:"stage_entered_at"`
	JoinedAt       time.Time      `json:"joined_at"`
	// Figures are nil for a reader of another member tenant.
	Figures *Figures `json:"figures,omitempty"`
}

// SharedSession is a programme session with its attendance per site (counts, never persons).
type SharedSession struct {
	Session         string         `json:"session"`
	Title           string         `json:"title"`
	Format          string         `json:"format"`
	Date            time.Time      `json:"date"`
	DurationMinutes int            `json:"duration_minutes,omitempty"`
	RRule           string         `json:"rrule,omitempty"`
	Place           string         `json:"place,omitempty"`
	Online          bool           `json:"online"`
	Held            bool           `json:"held"`
	Attendees       int            `json:"attendees"`
	BySite          map[string]int `json:"by_site"`
	// Feedback aggregates the feedback on the session: counts and mean ratings, never texts.
	Feedback programme.FeedbackSummary `json:"feedback"`
}

// ProgrammeView is a programme as a reader sees it: its members' stages and figures, the
// aggregate over all members, and the shared sessions.
type ProgrammeView struct {
	ID          uuid.UUID         `json:"id"`
	Title       string            `json:"title"`
	Tenant      string            `json:"tenant"`
	Coordinator string            `json:"coordinator"`
	Template    string            `json:"template,omitempty"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	MaxSites    int               `json:"max_sites"`
	Version     int64             `json:"version"`
	Sites       []SiteFigures     `json:"sites"`
	Aggregate   Figures           `json:"aggregate"`
	ByStage     map[string]int    `json:"by_stage"`
	Sessions    []SharedSession   `json:"sessions"`
	Indicators  []SharedIndicator `json:"indicators"`
}

// SharedIndicator is a programme's indicator with its latest value and every value with the
// tenant that reported it (not who: that is a user).
type SharedIndicator struct {
	template.Indicator
	Latest  template.Measurement `json:"latest"`
	Reached bool                 `json:"reached"`
	Values  []SharedValue        `json:"values"`
}

// SharedValue is a reported value of a shared indicator.
type SharedValue struct {
	Value  float64   `json:"value"`
	Date   time.Time `json:"date"`
	Source string    `json:"source"`
	Tenant string    `json:"tenant"`
}

func sharedIndicators(p *programme.Programme) []SharedIndicator {
	out := []SharedIndicator{}
	for key, ind := range p.Indicators {
		latest := p.Latest(key)
		si := SharedIndicator{Indicator: ind, Latest: latest, Reached: process.Reached(ind, latest.Value), Values: []SharedValue{}}
		for _, v := range p.Values[key] {
			si.Values = append(si.Values, SharedValue{Value: v.Value, Date: v.Date, Source: v.Source, Tenant: v.Tenant})
		}
		out = append(out, si)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// ProgrammeView returns the programme as the actor may see it: its coordinators and the
// coordinating tenant's auditors see every site's figures, a member tenant its own site's; all
// see the aggregate and every site's stage. Nobody sees personal data here.
func (e *Engine) ProgrammeView(ctx context.Context, actor process.Actor, id uuid.UUID) (ProgrammeView, error) {
	p, err := e.LoadProgramme(ctx, actor, id)
	if err != nil {
		return ProgrammeView{}, err
	}
	v := ProgrammeView{ID: p.ID, Title: p.Title, Tenant: p.Tenant, Coordinator: p.Coordinator, Template: p.Template,
		Start: p.Start, End: p.End, MaxSites: p.MaxSites, Version: p.Version, Sites: []SiteFigures{},
		Aggregate: Figures{ByGroup: map[string]int64{}}, ByStage: map[string]int{}, Sessions: sharedSessions(p), Indicators: sharedIndicators(p)}
	all := actor.Installation || actor.Tenant == p.Tenant
	reader := process.Actor{User: "programme", Role: template.RoleAuditor, Installation: true}
	for _, m := range p.ActiveMembers() {
		pid, err := uuid.Parse(m.Process)
		if err != nil {
			continue
		}
		proc, err := e.Load(ctx, reader, pid)
		if errors.Is(err, process.ErrNotFound) {
			continue
		} else if err != nil {
			return ProgrammeView{}, err
		}
		tpl, _ := e.templateOf(ctx, proc)
		stage, _ := tpl.Stage(proc.Stage)
		f := figuresOf(proc, tpl, p, m.Tenant)
		v.Aggregate.add(f)
		v.ByStage[proc.Stage]++
		s := SiteFigures{Process: pid, Tenant: m.Tenant, Site: m.Site, Title: proc.Title, Template: proc.TemplateID,
			Status: proc.Status, Stage: proc.Stage, StageTitle: stage.Title, StageEnteredAt: proc.StageEnteredAt, JoinedAt: m.JoinedAt}
		if all || actor.Tenant == m.Tenant {
			s.Figures = &f
		}
		v.Sites = append(v.Sites, s)
	}
	if v.Aggregate.Measures > 0 {
		var sum float64
		for _, s := range v.Sites {
			if s.Figures != nil {
				sum += s.Figures.AverageProgress * float64(s.Figures.Measures)
			}
		}
		v.Aggregate.AverageProgress = sum / float64(v.Aggregate.Measures)
	}
	return v, nil
}

func figuresOf(proc *process.Process, tpl template.Template, p *programme.Programme, tenant string) Figures {
	facts := proc.Facts(tpl, proc.StageEnteredAt)
	f := Figures{Participants: facts.Participants.Count, ByGroup: facts.Participants.ByGroup, SessionsHeld: facts.Sessions.Held,
		Attendees: facts.Sessions.Attendees, Contributions: facts.Contributions.Count, Decisions: facts.Decisions.Count,
		Results: facts.Results.Count, Measures: facts.Measures.Count, MeasuresDone: facts.Measures.Done,
		AverageProgress: facts.Measures.AverageProgress}
	for _, s := range p.Sessions {
		f.ProgrammeAttendance += int64(len(s.Attendance[tenant]))
	}
	return f
}

func sharedSessions(p *programme.Programme) []SharedSession {
	out := []SharedSession{}
	for _, s := range p.Sessions {
		x := SharedSession{Session: s.Session, Title: s.Title, Format: s.Format, Date: s.Date, DurationMinutes: s.DurationMinutes,
			RRule: s.RRule, Place: s.Place, Online: s.Online, Held: s.Held, Attendees: s.Attendees(), BySite: map[string]int{},
			Feedback: p.FeedbackOn(s.Session)}
		for tenant, persons := range s.Attendance {
			x.BySite[tenant] = len(persons)
		}
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}
