package process

import (
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// PeriodState is a template deadline as it stands in a process at an instant.
type PeriodState struct {
	template.Rule
	// Calendar is the calendar the period counts with.
	Calendar period.Calendar
	// Started is true once the anchor happened, at StartedAt.
	Started   bool
	StartedAt time.Time
	// EndsAt is the end of the period's last day (24:00 local time); zero before it started.
	EndsAt time.Time
	// Ended is true when now is at or after EndsAt.
	Ended bool
	// Met is whether the period's requirement holds now: minimum, notice and response periods
	// have ended; a maximum period has not run out while its stage was not left.
	Met bool
	// Extended is the extra calendar days granted; Paused those added for suspensions.
	Extended, Paused int
	// Err is set when the calendar cannot be opened (a template published before it was checked).
	Err error
}

// Periods returns every deadline of the template that is a rule, as it stands at now.
func (p *Process) Periods(tpl template.Template, cals period.Calendars, now time.Time) []PeriodState {
	rules := tpl.Rules()
	out := make([]PeriodState, 0, len(rules))
	for _, r := range rules {
		out = append(out, p.period(r, cals, now))
	}
	return out
}

// PeriodOf returns the period state of the deadline with key.
func (p *Process) PeriodOf(tpl template.Template, cals period.Calendars, key string, now time.Time) (PeriodState, bool) {
	for _, d := range tpl.Deadlines {
		if r, ok := tpl.Rule(d); ok && d.Key == key {
			return p.period(r, cals, now), true
		}
	}
	return PeriodState{}, false
}

func (p *Process) period(r template.Rule, cals period.Calendars, now time.Time) PeriodState {
	s := PeriodState{Rule: r}
	s.Calendar, s.Err = period.Open(cals, r.Calendar, r.TimeZone)
	if s.Err != nil {
		return s
	}
	s.StartedAt, s.Started = p.anchorTime(r.Anchor)
	if !s.Started || s.StartedAt.After(now) {
		s.Started = false
		s.Met = r.Kind == template.KindMaximum
		return s
	}
	s.Extended = p.Time.Extensions[r.Key]
	end := s.Calendar.End(s.StartedAt, r.Length, s.Extended)
	if r.Pause {
		s.Paused = p.suspendedDays(s.StartedAt, end, now)
		end = s.Calendar.End(s.StartedAt, r.Length, s.Extended+s.Paused)
	}
	s.EndsAt, s.Ended = end, !now.Before(end)
	s.Met = s.Ended
	if r.Kind == template.KindMaximum {
		left, ok := p.leftAt(r.Stage, s.StartedAt)
		s.Met = (ok && left.Before(end)) || (!ok && !s.Ended)
	}
	return s
}

// anchorTime returns when the anchor happened: the last entry into or exit from the stage, or the
// named date.
func (p *Process) anchorTime(a template.Anchor) (time.Time, bool) {
	switch {
	case a.Date != "":
		t, ok := p.Time.Dates[a.Date]
		return t, ok
	case a.Left != "":
		return p.leftAt(a.Left, time.Time{})
	}
	for i := len(p.Timeline) - 1; i >= 0; i-- {
		if p.Timeline[i].Stage == a.Entered {
			return p.Timeline[i].Entered, true
		}
	}
	return time.Time{}, false
}

// leftAt returns when the process last left the stage at or after since.
func (p *Process) leftAt(stage string, since time.Time) (time.Time, bool) {
	for i := len(p.Timeline) - 1; i >= 0; i-- {
		v := p.Timeline[i]
		if v.Stage == stage && !v.Left.IsZero() && !v.Left.Before(since) {
			return v.Left, true
		}
	}
	return time.Time{}, false
}

// suspendedDays counts the calendar days, started ones included, that the process was suspended
// between from and the period's end (until now for a suspension still running).
func (p *Process) suspendedDays(from, end, now time.Time) int {
	var total time.Duration
	for _, iv := range p.Time.Suspensions {
		to := iv.To
		if to.IsZero() {
			to = now
		}
		if iv.From.Before(from) {
			iv.From = from
		}
		if to.After(end) && !iv.To.IsZero() {
			to = end
		}
		if to.After(iv.From) {
			total += to.Sub(iv.From)
		}
	}
	days := int(total / (24 * time.Hour))
	if total%(24*time.Hour) != 0 {
		days++
	}
	return days
}
