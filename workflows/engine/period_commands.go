package engine

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/calendar"
)

// DefaultCalendars are the calendars an engine counts periods with unless Config.Calendars
// names others: the public holidays of Germany and its states.
var DefaultCalendars period.Calendars = calendar.Germany{}

// SetDate records a named date of the template, e.g. "announced_at"; periods may start at it.
type SetDate struct {
	Date  string    `json:"date"`
	Value time.Time `json:"value"`
	Note  string    `json:"note,omitempty"`
}

// Action names the command.
func (SetDate) Action() process.Action { return process.ActSetDate }

func (c SetDate) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.SetDate(m, tpl, c.Date, c.Value, c.Note)
}

// ExtendDeadline lengthens a period by whole days, for a reason, approved by another person.
type ExtendDeadline struct {
	Deadline   string `json:"deadline"`
	Days       int    `json:"days"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by"`
}

// Action names the command.
func (ExtendDeadline) Action() process.Action { return process.ActExtendDeadline }

func (c ExtendDeadline) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.ExtendDeadline(m, tpl, c.Deadline, c.Days, c.Reason, c.ApprovedBy)
}

// FireTimer records that a period ended and auto-advances where the stage says so. The scheduler
// (workflows/timers) issues it with the timer's ID as command ID, so each timer fires once.
type FireTimer struct {
	Timer process.Timer `json:"timer"`
}

// Action names the command.
func (FireTimer) Action() process.Action { return process.ActFireTimer }

func (c FireTimer) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	gates, err := e.gatesFor(ctx, p)
	if err != nil {
		return err
	}
	return p.FireTimer(m, tpl, gates, c.Timer)
}

// Timers returns the pending timers of the process with id as actor sees it, and its tenant.
func (e *Engine) Timers(ctx context.Context, actor process.Actor, id uuid.UUID) ([]process.Timer, string, error) {
	p, _, err := e.take(ctx, id) // not cloned: only read here, while the engine holds it back
	if err != nil {
		return nil, "", err
	}
	defer e.release(p)
	if p.Version == 0 || !actor.Sees(p.Tenant) || !actor.Allowed(process.ActRead) {
		return nil, "", process.ErrNotFound
	}
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return nil, "", err
	}
	return p.Timers(tpl, e.cfg.Calendars, e.cfg.Clock()), p.Tenant, nil
}

// Calendars returns the calendars the engine counts periods with.
func (e *Engine) Calendars() period.Calendars { return e.cfg.Calendars }
