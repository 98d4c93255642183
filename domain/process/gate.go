package process

import (
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// GateEvaluator evaluates a gate expression against the facts of a process. The engine provides
// it (CEL); the domain only builds the facts.
type GateEvaluator interface {
	Evaluate(expr string, facts GateFacts) (bool, error)
}

// GateFacts are what a gate expression can see, one variable per field (the cel tag names it).
type GateFacts struct {
	Tasks         TaskFacts         `cel:"tasks"`
	Participants  ParticipantFacts  `cel:"participants"`
	Sessions      SessionFacts      `cel:"sessions"`
	Contributions ContributionFacts `cel:"contributions"`
	Decisions     CountFacts        `cel:"decisions"`
	Results       CountFacts        `cel:"results"`
	Measures      MeasureFacts      `cel:"measures"`
	Approvals     ApprovalFacts     `cel:"approvals"`
	Stage         StageFacts        `cel:"stage"`
	Process       ProcessFacts      `cel:"process"`
	Now           time.Time         `cel:"now"`
	// Teams, Roles, Organisations, Decided, Indicators, Attendance and Feedback are described in
	// gate_collab.go.
	Teams         TeamFacts         `cel:"teams"`
	Roles         RoleFacts         `cel:"roles"`
	Organisations OrganisationFacts `cel:"organisations"`
	Decided       DecidedFacts      `cel:"decided"`
	Indicators    IndicatorFacts    `cel:"indicators"`
	Attendance    AttendanceFacts   `cel:"attendance"`
	Feedback      FeedbackFacts     `cel:"feedback"`
	// The facts about time (gate_time.go).
	Deadlines    map[string]DeadlineFacts `cel:"deadlines"`
	Dates        map[string]time.Time     `cel:"dates"`
	Stays        map[string]StayFacts     `cel:"stays"`
	LastDecision DecisionFacts            `cel:"last_decision"`
	Calendar     CalendarFacts            `cel:"calendar"`
	// Programme describes the programme the process is a member site of; the domain leaves it
	// empty (NoProgramme) and the engine's gate evaluator fills it from the programme's stream.
	Programme ProgrammeFacts `cel:"programme"`
}

// TaskFacts describe the tasks of the current stage.
type TaskFacts struct {
	RequiredDone bool     `cel:"required_done"`
	Required     int64    `cel:"required"`
	Done         int64    `cel:"done"`
	Completed    []string `cel:"completed"`
	// CompletedAt says when each completed task was completed (zero for tasks recorded before
	// the time was kept).
	CompletedAt map[string]time.Time `cel:"completed_at"`
}

// ParticipantFacts count active participants, in all and per stakeholder group.
type ParticipantFacts struct {
	Count   int64            `cel:"count"`
	ByGroup map[string]int64 `cel:"by_group"`
	Groups  int64            `cel:"groups"`
}

// SessionFacts count sessions, scheduled and held, and held sessions per format.
type SessionFacts struct {
	Scheduled int64            `cel:"scheduled"`
	Held      int64            `cel:"held"`
	ByFormat  map[string]int64 `cel:"by_format"`
	Attendees int64            `cel:"attendees"`
}

// CountFacts count records of one kind.
type CountFacts struct {
	Count int64 `cel:"count"`
}

// MeasureFacts describe the measures.
type MeasureFacts struct {
	Count           int64   `cel:"count"`
	Done            int64   `cel:"done"`
	AverageProgress float64 `cel:"average_progress"`
}

// ApprovalFacts list the approvals granted in the current stage; gates ask approvals.has(key).
type ApprovalFacts struct {
	Granted []string `cel:"granted"`
}

// StageFacts describe the current stage.
type StageFacts struct {
	Key       string    `cel:"key"`
	EnteredAt time.Time `cel:"entered_at"`
	Days      float64   `cel:"days"`
}

// ProcessFacts describe the process.
type ProcessFacts struct {
	OpenedAt  time.Time `cel:"opened_at"`
	Programme string    `cel:"programme"`
	Tenant    string    `cel:"tenant"`
}

// Facts returns the facts of the process in its current stage at time now, with periods counted
// without public holidays; FactsIn counts with cals.
func (p *Process) Facts(tpl template.Template, now time.Time) GateFacts {
	return p.FactsIn(tpl, nil, now)
}

// FactsIn returns the facts of the process in its current stage at time now.
func (p *Process) FactsIn(tpl template.Template, cals period.Calendars, now time.Time) GateFacts {
	stage, _ := tpl.Stage(p.Stage)
	f := GateFacts{
		Participants: ParticipantFacts{ByGroup: map[string]int64{}},
		Sessions:     SessionFacts{ByFormat: map[string]int64{}},
		Stage:        StageFacts{Key: p.Stage, EnteredAt: p.StageEnteredAt, Days: now.Sub(p.StageEnteredAt).Hours() / 24},
		Process:      ProcessFacts{OpenedAt: p.OpenedAt, Programme: p.Programme, Tenant: p.Tenant},
		Now:          now,
		Programme:    NoProgramme(),
	}
	f.Tasks.RequiredDone = true
	done := p.Tasks[p.Stage]
	for _, t := range stage.Tasks {
		_, ok := done[t.Key]
		if t.Required {
			f.Tasks.Required++
			f.Tasks.RequiredDone = f.Tasks.RequiredDone && ok
		}
		if ok {
			f.Tasks.Done++
			f.Tasks.Completed = append(f.Tasks.Completed, t.Key)
		}
	}
	for _, x := range p.Participants {
		if !x.Withdrawn {
			f.Participants.Count++
			f.Participants.ByGroup[x.Group]++
		}
	}
	f.Participants.Groups = int64(len(f.Participants.ByGroup))
	for _, s := range p.Sessions {
		f.Sessions.Scheduled++
		if s.Held {
			f.Sessions.Held++
			f.Sessions.ByFormat[s.Format]++
			f.Sessions.Attendees += int64(s.Attendance)
		}
	}
	f.Contributions.Count = int64(p.Contributions)
	p.timeFacts(&f, tpl, cals, now)
	f.Decisions.Count = int64(len(p.Decisions))
	f.Results.Count = int64(len(p.Results))
	var sum int
	for _, m := range p.Measures {
		f.Measures.Count++
		sum += m.Progress
		if m.Status == "done" {
			f.Measures.Done++
		}
	}
	if f.Measures.Count > 0 {
		f.Measures.AverageProgress = float64(sum) / float64(f.Measures.Count)
	}
	for _, a := range stage.Approvals {
		if _, ok := p.Approvals[p.Stage][a.Key]; ok {
			f.Approvals.Granted = append(f.Approvals.Granted, a.Key)
		}
	}
	p.collabFacts(tpl, &f)
	return f
}
