package process

import (
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// Actions of periods.
const (
	ActSetDate        Action = "set_date"
	ActExtendDeadline Action = "extend_deadline"
)

func init() {
	roles[ActSetDate] = leads
	roles[ActExtendDeadline] = leads
}

// SetDate records a named date of the template, e.g. when the publication was announced.
func (p *Process) SetDate(m Meta, tpl template.Template, key string, value time.Time, note string) error {
	if err := p.check(m, ActSetDate); err != nil {
		return err
	}
	switch {
	case !tpl.DateDeclared(key):
		return invalid("date", "%q is not a date of template %s v%d", key, tpl.ID, tpl.Version)
	case value.IsZero():
		return invalid("value", "is required")
	}
	if err := text("note", note, false, maxText); err != nil {
		return err
	}
	p.record(m, DateSet{Date: key, Value: value, Note: note, By: m.Actor.User, At: m.Now})
	return nil
}

// ExtendDeadline lengthens an enforced period by days, for a reason, approved by another person.
func (p *Process) ExtendDeadline(m Meta, tpl template.Template, key string, days int, reason, approvedBy string) error {
	if err := p.check(m, ActExtendDeadline); err != nil {
		return err
	}
	r, ok := p.PeriodOf(tpl, m.Calendars, key, m.Now)
	switch {
	case !ok || !r.Enforced:
		return invalid("deadline", "%q is not a period of template %s v%d", key, tpl.ID, tpl.Version)
	case days < 1 || days > 366:
		return invalid("days", "%d is not between 1 and 366", days)
	case approvedBy == "":
		return invalid("approved_by", "is required: who approved the extension")
	case approvedBy == m.Actor.User:
		return refuse("four_eyes", "Eine Fristverlängerung genehmigt eine andere Person / another person approves an extension")
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	e := DeadlineExtended{Deadline: key, Days: days, Reason: reason, ApprovedBy: approvedBy, By: m.Actor.User, At: m.Now}
	if r.Started {
		e.EndsAt = r.Calendar.End(r.StartedAt, r.Length, r.Extended+r.Paused+days)
	}
	p.record(m, e)
	return nil
}

// RecordReceivedContribution records a contribution received at c.ReceivedAt (zero: now), as the
// actor states; one received after the end of the period for responses then running is kept and
// flagged late.
func (p *Process) RecordReceivedContribution(m Meta, tpl template.Template, c ContributionRecorded) error {
	if err := p.check(m, ActContribute); err != nil {
		return err
	}
	received := c.ReceivedAt
	switch {
	case received.IsZero():
		received = m.Now
	case received.After(m.Now):
		return invalid("received_at", "%s is in the future", received.Format(time.RFC3339))
	case received.Before(p.OpenedAt.Truncate(24 * time.Hour)):
		return invalid("received_at", "%s is before the process was opened", received.Format(time.RFC3339))
	default:
		c.StatedBy = m.Actor.User
	}
	c.Stage, c.At, c.Late = p.Stage, m.Now, p.lateness(tpl, m.Calendars, received, m.Now)
	return p.RecordContribution(m, c)
}

// lateness returns why a contribution received at r is late: the period for responses (a
// minimum or response period) that began last before r (of several, the one that ends last) had
// ended. nil if it is not late.
func (p *Process) lateness(tpl template.Template, cals period.Calendars, r, now time.Time) *Lateness {
	var in *PeriodState
	for _, s := range p.Periods(tpl, cals, now) {
		if (s.Kind == template.KindMinimum || s.Kind == template.KindResponse) && s.Enforced && s.Started && !s.StartedAt.After(r) {
			if in == nil || s.StartedAt.After(in.StartedAt) || (s.StartedAt.Equal(in.StartedAt) && s.EndsAt.After(in.EndsAt)) {
				in = &s
			}
		}
	}
	if in == nil || r.Before(in.EndsAt) {
		return nil
	}
	return &Lateness{Deadline: in.Key, EndedAt: in.EndsAt, LegalBasis: in.LegalBasis}
}

// periodBreaches lists the enforced periods that going from stage from to next ("" when the
// process completes) would not keep: minimum periods of from that have not ended, and notice
// periods of next that have not ended (an optional period whose date was never set does not apply).
func (p *Process) periodBreaches(tpl template.Template, cals period.Calendars, from, next string, now time.Time) []PeriodState {
	var out []PeriodState
	for _, s := range p.Periods(tpl, cals, now) {
		leaving := s.Kind == template.KindMinimum && s.Stage == from
		entering := s.Kind == template.KindNotice && next != "" && s.Stage == next
		if s.Enforced && (leaving || entering) && !s.Met && !(s.Optional && !s.Started) {
			out = append(out, s)
		}
	}
	return out
}

// keepPeriods refuses going from stage from to next while a period is not kept, naming each with
// the earliest instant and its legal basis, unless override gives a reason: then it returns the
// PeriodOverridden events to record first.
func (p *Process) keepPeriods(m Meta, tpl template.Template, from, next, action, override string) ([]PeriodOverridden, error) {
	breaches := p.periodBreaches(tpl, m.Calendars, from, next, m.Now)
	if len(breaches) == 0 {
		return nil, nil
	}
	if override == "" {
		refusal := &RefusedError{Rule: "period_not_kept"}
		for _, s := range breaches {
			refusal.Reasons = append(refusal.Reasons, PeriodReason(s))
			if s.Started && s.EndsAt.After(refusal.EarliestAt) {
				refusal.EarliestAt = s.EndsAt
			}
		}
		refusal.Reasons = append(refusal.Reasons, "Übergehen nur mit Begründung (override_reason) / skipping needs a reason (override_reason)")
		return nil, refusal
	}
	if err := text("override_reason", override, true, maxText); err != nil {
		return nil, err
	}
	out := make([]PeriodOverridden, 0, len(breaches))
	for _, s := range breaches {
		out = append(out, PeriodOverridden{Deadline: s.Key, Kind: s.Kind, Stage: s.Stage, LegalBasis: s.LegalBasis,
			EndsAt: s.EndsAt, Action: action, Reason: override, By: m.Actor.User, At: m.Now})
	}
	return out, nil
}

// PeriodReason says in German and English why a period is not kept and when it will be.
func PeriodReason(s PeriodState) string {
	basis := ""
	if s.LegalBasis != "" {
		basis = " (" + s.LegalBasis + ")"
	}
	if !s.Started {
		return fmt.Sprintf("Frist hat nicht begonnen / period has not started: %s / %s%s", s.Title.De, s.Title.En, basis)
	}
	return fmt.Sprintf("Frist nicht abgelaufen / period not over: %s / %s%s: frühestens möglich, Frist %s / possible at the earliest, the period %s",
		s.Title.De, s.Title.En, basis, period.FormatEnd(s.EndsAt, s.Calendar.Location, "de"), period.FormatEnd(s.EndsAt, s.Calendar.Location, "en"))
}
