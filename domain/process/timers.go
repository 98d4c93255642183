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

// Timer is a pending timer of a process: at At, the period Deadline of the process ends.
type Timer struct {
	Process  string    `json:"process"`
	Deadline string    `json:"deadline"`
	At       time.Time `json:"at"`
}

// ID identifies the timer; the command that fires it has this ID, so that it fires once.
func (t Timer) ID() string {
	return "timer/" + t.Process + "/" + t.Deadline + "/" + strconv.FormatInt(t.At.Unix(), 10)
}

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
		if s.Enforced && s.Started && !p.Time.Reached[s.Key].Equal(s.EndsAt) {
			out = append(out, Timer{Process: p.ID.String(), Deadline: s.Key, At: s.EndsAt})
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
