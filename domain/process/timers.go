package process

import (
	"strconv"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// SystemUser is the actor the engine records for what it does by itself (timers, auto-advance).
const SystemUser = "civicflow"

// ActFireTimer is the action of a timer firing.
const ActFireTimer Action = "fire_timer"

func init() { roles[ActFireTimer] = []string{template.RoleAdministrator} }

// DeadlineReached records that a period's end came: the timer fired at At, Late when that was
// after the end by more than a minute (the scheduler caught up after downtime).
type DeadlineReached struct {
	Deadline string    `json:"deadline"`
	EndsAt   time.Time `json:"ends_at"`
	At       time.Time `json:"at"`
	Late     bool      `json:"late,omitempty"`
}

// Type returns "process.deadline_reached".
func (DeadlineReached) Type() string { return "process.deadline_reached" }

func init() { register[DeadlineReached](1, nil) }

// Timer is a pending timer of a process: at At, the period Deadline of the process ends, or,
// for a reminder (Before > 0), it ends Before days later, at EndsAt.
type Timer struct {
	Process  string    `json:"process"`
	Deadline string    `json:"deadline"`
	At       time.Time `json:"at"`
	Before   int       `json:"before,omitempty"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
	// After is set for an escalation: it is due After days after the end EndsAt.
	After int `json:"after,omitempty"`
}

// ID identifies the timer; the command that fires it has this ID, so that it fires once.
func (t Timer) ID() string {
	id := "timer/" + t.Process + "/" + t.Deadline + "/"
	if t.Before > 0 {
		id += "remind-" + strconv.Itoa(t.Before) + "/"
	}
	if t.After > 0 {
		id += "escalate-" + strconv.Itoa(t.After) + "/"
	}
	return id + strconv.FormatInt(t.At.Unix(), 10)
}

// ReminderDue records that a period ends in Before days (at EndsAt): a reminder for those who
// must act. Late as in DeadlineReached.
type ReminderDue struct {
	Deadline string    `json:"deadline"`
	Before   int       `json:"before"`
	EndsAt   time.Time `json:"ends_at"`
	At       time.Time `json:"at"`
	Late     bool      `json:"late,omitempty"`
}

// Type returns "process.reminder_due".
func (ReminderDue) Type() string { return "process.reminder_due" }

func init() { register[ReminderDue](1, nil) }

// reminderKey keys the reminders recorded in the time state.
func reminderKey(deadline string, before int) string { return deadline + "/" + strconv.Itoa(before) }

// lateAfter is how long after its time a timer counts as fired late.
const lateAfter = time.Minute

// Timers returns the pending timers of an active process: the end of every running enforced
// period whose end has not been recorded (DeadlineReached) yet, also when that end has passed.
func (p *Process) Timers(tpl template.Template, cals period.Calendars, now time.Time) []Timer {
	if p.Status != StatusActive { // a suspended process's timers come back when it resumes
		return nil
	}
	var out []Timer
	for _, s := range p.Periods(tpl, cals, now) {
		if !s.Enforced || !s.Started {
			continue
		}
		if t, ok := p.escalationTimer(s); ok {
			out = append(out, t)
		}
		if p.Time.Reached[s.Key].Equal(s.EndsAt) {
			continue
		}
		out = append(out, Timer{Process: p.ID.String(), Deadline: s.Key, At: s.EndsAt})
		for _, n := range s.RemindDays {
			at := s.EndsAt.AddDate(0, 0, -n)
			if at.After(s.StartedAt) && !p.Time.Reminded[reminderKey(s.Key, n)].Equal(s.EndsAt) {
				out = append(out, Timer{Process: p.ID.String(), Deadline: s.Key, At: at, Before: n, EndsAt: s.EndsAt})
			}
		}
	}
	return out
}

// FireTimer records that a period ended (DeadlineReached) and, when the current stage has
// auto_advance and every exit condition holds now, advances the process as the system. A timer
// whose period has moved (extended, paused, restarted) or was recorded already writes nothing.
func (p *Process) FireTimer(m Meta, tpl template.Template, gates GateEvaluator, t Timer) error {
	if err := p.check(m, ActFireTimer); err != nil {
		return err
	}
	s, ok := p.PeriodOf(tpl, m.Calendars, t.Deadline, m.Now)
	if t.Before > 0 {
		return p.remind(m, s, ok, t)
	}
	if t.After > 0 {
		return p.escalate(m, s, ok, t)
	}
	switch {
	case !ok || !s.Started || !s.EndsAt.Equal(t.At) || p.Time.Reached[t.Deadline].Equal(t.At):
		return nil
	case m.Now.Before(t.At):
		return refuse("timer_early", "Die Frist endet erst "+period.FormatEnd(t.At, s.Calendar.Location, "de")+" / the period "+period.FormatEnd(t.At, s.Calendar.Location, "en"))
	}
	p.record(m, DeadlineReached{Deadline: t.Deadline, EndsAt: t.At, At: m.Now, Late: m.Now.Sub(t.At) > lateAfter})
	p.autoAdvance(m, tpl, gates)
	return nil
}

// remind records a reminder unless its period has moved or it was recorded.
func (p *Process) remind(m Meta, s PeriodState, ok bool, t Timer) error {
	switch {
	case !ok || !s.Started || !s.EndsAt.Equal(t.EndsAt) || p.Time.Reminded[reminderKey(t.Deadline, t.Before)].Equal(t.EndsAt):
		return nil
	case m.Now.Before(t.At):
		return refuse("timer_early", "Die Erinnerung ist noch nicht fällig / the reminder is not due yet")
	}
	p.record(m, ReminderDue{Deadline: t.Deadline, Before: t.Before, EndsAt: t.EndsAt, At: m.Now, Late: m.Now.Sub(t.At) > lateAfter})
	return nil
}

// autoAdvance advances from a stage with auto_advance when its conditions hold and its periods
// are kept; otherwise it leaves the process where it is.
func (p *Process) autoAdvance(m Meta, tpl template.Template, gates GateEvaluator) {
	i := tpl.StageIndex(p.Stage)
	if i < 0 || i+1 >= len(tpl.Stages) || !tpl.Stages[i].AutoAdvance || p.Status != StatusActive {
		return
	}
	next := tpl.Stages[i+1].Key
	if len(p.unmetConditions(tpl, gates, m)) > 0 || len(p.periodBreaches(tpl, m.Calendars, p.Stage, next, m.Now)) > 0 {
		return
	}
	p.record(m, StageCompleted{Stage: p.Stage, Next: next, By: SystemUser, At: m.Now})
}
