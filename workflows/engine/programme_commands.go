package engine

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
)

// JoinProgramme makes one of the actor's tenant's processes a member site.
type JoinProgramme struct {
	Process string `json:"process"`
	// Site names the site; default the process's tenant.
	Site string `json:"site,omitempty"`
}

// Name names the command.
func (JoinProgramme) Name() string { return "join" }

func (c JoinProgramme) runProgramme(ctx context.Context, e *Engine, m process.Meta, p *programme.Programme) error {
	id, err := uuid.Parse(c.Process)
	if err != nil {
		return &process.InvalidError{Field: "process", Problem: "is not a process ID"}
	}
	proc, err := e.Load(ctx, m.Actor, id)
	if err != nil {
		return err // another tenant's process is not found
	}
	site := c.Site
	if site == "" {
		site = proc.Tenant
	}
	return p.Join(m, programme.Member{Process: proc.ID.String(), Tenant: proc.Tenant, Site: site, Template: proc.TemplateID})
}

// LeaveProgramme ends a member's membership.
type LeaveProgramme struct {
	Process string `json:"process"`
	Reason  string `json:"reason"`
}

// Name names the command.
func (LeaveProgramme) Name() string { return "leave" }

func (c LeaveProgramme) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	return p.Leave(m, c.Process, c.Reason)
}

// ScheduleProgrammeSession plans a session shared by all sites.
type ScheduleProgrammeSession struct {
	Session         string    `json:"session,omitempty"`
	Title           string    `json:"title"`
	Format          string    `json:"format"`
	Date            time.Time `json:"date"`
	DurationMinutes int       `json:"duration_minutes,omitempty"`
	RRule           string    `json:"rrule,omitempty"`
	Place           string    `json:"place,omitempty"`
	Online          bool      `json:"online,omitempty"`
}

// Name names the command.
func (ScheduleProgrammeSession) Name() string { return "schedule_session" }

func (c ScheduleProgrammeSession) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	return p.ScheduleSession(m, programme.SessionScheduled{Session: newIDIfEmpty(c.Session), Title: c.Title, Format: c.Format,
		Date: c.Date, DurationMinutes: c.DurationMinutes, RRule: c.RRule, Place: c.Place, Online: c.Online})
}

// HoldProgrammeSession records that a shared session took place.
type HoldProgrammeSession struct {
	Session string `json:"session"`
	Notes   string `json:"notes,omitempty"`
}

// Name names the command.
func (HoldProgrammeSession) Name() string { return "hold_session" }

func (c HoldProgrammeSession) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	return p.HoldSession(m, c.Session, c.Notes)
}

// RecordProgrammeAttendance records which persons of the actor's site attended a shared session;
// person IDs are scoped to the actor's tenant.
type RecordProgrammeAttendance struct {
	Session string   `json:"session"`
	Persons []string `json:"persons"`
}

// Name names the command.
func (RecordProgrammeAttendance) Name() string { return "record_attendance" }

func (c RecordProgrammeAttendance) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	persons := make([]string, len(c.Persons))
	for i, x := range c.Persons {
		if x == "" {
			return &process.InvalidError{Field: "persons", Problem: "an entry is empty"}
		}
		persons[i] = PersonID(m.Actor.Tenant, x)
	}
	return p.RecordAttendance(m, c.Session, persons)
}

// DeclareProgrammeIndicator declares an indicator the programme's partners share (its fields are
// DeclareIndicator's; measure is not used).
type DeclareProgrammeIndicator struct {
	DeclareIndicator
}

// Name names the command.
func (DeclareProgrammeIndicator) Name() string { return "declare_indicator" }

func (c DeclareProgrammeIndicator) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	if c.Measure != "" {
		return &process.InvalidError{Field: "measure", Problem: "a programme's indicator is not attached to a measure"}
	}
	return p.DeclareIndicator(m, c.indicator())
}

// RecordProgrammeIndicatorValue records a value of a shared indicator.
type RecordProgrammeIndicatorValue struct {
	RecordIndicatorValue
}

// Name names the command.
func (RecordProgrammeIndicatorValue) Name() string { return "record_indicator_value" }

func (c RecordProgrammeIndicatorValue) runProgramme(_ context.Context, _ *Engine, m process.Meta, p *programme.Programme) error {
	return p.RecordIndicatorValue(m, programme.IndicatorValueRecorded{Indicator: c.Indicator, Value: c.Value, Date: c.Date, Source: c.Source})
}
