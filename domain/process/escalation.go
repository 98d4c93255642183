package process

import "time"

// EscalationDue records that a period ended After days ago (at EndsAt) and the process is still
// in Stage: nobody has acted, so the escalation's recipients (administrators) are told. Late as in
// DeadlineReached.
type EscalationDue struct {
	Deadline string    `json:"deadline"`
	Stage    string    `json:"stage"`
	After    int       `json:"after"`
	EndsAt   time.Time `json:"ends_at"`
	At       time.Time `json:"at"`
	Late     bool      `json:"late,omitempty"`
}

// Type returns "process.escalation_due".
func (EscalationDue) Type() string { return "process.escalation_due" }

func init() { register[EscalationDue](1, nil) }

// escalationTimer returns the escalation timer of a started period: escalate_days after its end,
// while the process is in the period's stage and the escalation of this end was not recorded.
func (p *Process) escalationTimer(s PeriodState) (Timer, bool) {
	n := s.EscalateDays
	if n <= 0 || p.Stage != s.Stage || p.Time.Escalated[s.Key].Equal(s.EndsAt) {
		return Timer{}, false
	}
	return Timer{Process: p.ID.String(), Deadline: s.Key, At: s.EndsAt.AddDate(0, 0, n), After: n, EndsAt: s.EndsAt}, true
}

// escalate records an escalation unless its period has moved, the stage was left or it was
// recorded.
func (p *Process) escalate(m Meta, s PeriodState, ok bool, t Timer) error {
	switch {
	case !ok || !s.Started || !s.EndsAt.Equal(t.EndsAt) || s.EscalateDays != t.After || p.Stage != s.Stage ||
		p.Time.Escalated[t.Deadline].Equal(t.EndsAt):
		return nil
	case m.Now.Before(t.At):
		return refuse("timer_early", "Die Eskalation ist noch nicht fällig / the escalation is not due yet")
	}
	p.record(m, EscalationDue{Deadline: t.Deadline, Stage: s.Stage, After: t.After, EndsAt: t.EndsAt, At: m.Now, Late: m.Now.Sub(t.At) > lateAfter})
	return nil
}
