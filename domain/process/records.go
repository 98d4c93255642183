package process

import (
	"slices"
	"time"

	"github.com/civicflow/civicflow/domain/template"
)

func (p *Process) newID(field, id string, exists bool) error {
	if err := text(field, id, true, 100); err != nil {
		return err
	}
	if exists {
		return refuse("duplicate_id", field+" "+id+" ist bereits vergeben / is already used")
	}
	return nil
}

// RegisterInput registers a participant; Name and Email come sealed with the person's key.
type RegisterInput struct {
	Participant, Person, Group string
	Name, Email                Sealed
}

// RegisterParticipant adds a participant in one of the common stakeholder groups.
func (p *Process) RegisterParticipant(m Meta, in RegisterInput) error {
	return p.RegisterParticipantIn(m, template.Template{}, in)
}

// RegisterParticipantIn adds a participant in a stakeholder group, common or of the template.
func (p *Process) RegisterParticipantIn(m Meta, tpl template.Template, in RegisterInput) error {
	if err := p.check(m, ActRegister); err != nil {
		return err
	}
	_, exists := p.Participants[in.Participant]
	if err := p.newID("participant", in.Participant, exists); err != nil {
		return err
	}
	if _, ok := tpl.GroupTitle(in.Group); !ok {
		return invalid("group", "%q is not one of the known values", in.Group)
	}
	if err := text("person", in.Person, true, 100); err != nil {
		return err
	}
	if in.Name.IsZero() {
		return invalid("name", "is required")
	}
	p.record(m, ParticipantRegistered(in))
	return nil
}

// WithdrawParticipant removes a participant.
func (p *Process) WithdrawParticipant(m Meta, participant, reason string) error {
	if err := p.check(m, ActWithdraw); err != nil {
		return err
	}
	x, ok := p.Participants[participant]
	switch {
	case !ok:
		return invalid("participant", "%q is not registered", participant)
	case x.Withdrawn:
		return refuse("withdrawn", "Teilnahme bereits zurückgezogen / participant already withdrawn")
	}
	if err := text("reason", reason, false, maxText); err != nil {
		return err
	}
	p.record(m, ParticipantWithdrawn{Participant: participant, Reason: reason})
	return nil
}

// ScheduleSession plans a session in one of the common formats, at a place or online.
func (p *Process) ScheduleSession(m Meta, s SessionScheduled) error {
	return p.ScheduleSessionIn(m, template.Template{}, s)
}

// ScheduleSessionIn plans a session in a format, common or of the template, at a place or online.
func (p *Process) ScheduleSessionIn(m Meta, tpl template.Template, s SessionScheduled) error {
	if err := p.check(m, ActSchedule); err != nil {
		return err
	}
	_, exists := p.Sessions[s.Session]
	if err := p.newID("session", s.Session, exists); err != nil {
		return err
	}
	if _, ok := tpl.FormatTitle(s.Format); !ok {
		return invalid("format", "%q is not one of the known values", s.Format)
	}
	if err := text("title", s.Title, true, 300); err != nil {
		return err
	}
	if s.Date.IsZero() {
		return invalid("date", "is required")
	}
	if !s.Online && s.Place == "" {
		return invalid("place", "is required unless the session is online")
	}
	if err := checkSchedule(s); err != nil {
		return err
	}
	p.record(m, s)
	return nil
}

// HoldSession records that a scheduled session took place, with its attendance.
func (p *Process) HoldSession(m Meta, session string, attendance int, notes string) error {
	if err := p.check(m, ActHold); err != nil {
		return err
	}
	s, ok := p.Sessions[session]
	switch {
	case !ok:
		return invalid("session", "%q is not scheduled", session)
	case s.Held:
		return refuse("session_held", "Veranstaltung bereits durchgeführt / session already held")
	case attendance < 0 || attendance > 1_000_000:
		return invalid("attendance", "%d is not between 0 and 1000000", attendance)
	case m.Now.Before(s.Date.Add(-24 * time.Hour)):
		return refuse("session_in_future", "Die Veranstaltung liegt in der Zukunft / the session is in the future")
	}
	if err := text("notes", notes, false, maxText); err != nil {
		return err
	}
	p.record(m, SessionHeld{Session: session, Attendance: attendance, Notes: notes})
	return nil
}

// RecordContribution records a contribution, optionally from a session and a participant. Text
// tied to a participant must come sealed; anonymous text may be plain.
func (p *Process) RecordContribution(m Meta, c ContributionRecorded) error {
	if err := p.check(m, ActContribute); err != nil {
		return err
	}
	if err := text("contribution", c.Contribution, true, 100); err != nil {
		return err
	}
	if c.Session != "" {
		if _, ok := p.Sessions[c.Session]; !ok {
			return invalid("session", "%q is not scheduled", c.Session)
		}
	}
	if c.Participant != "" {
		if _, ok := p.Participants[c.Participant]; !ok {
			return invalid("participant", "%q is not registered", c.Participant)
		}
		if c.PlainText != "" {
			return invalid("text", "a participant's contribution must be sealed")
		}
	}
	if c.Text.IsZero() && c.PlainText == "" {
		return invalid("text", "is required")
	}
	if err := text("text", c.PlainText, false, maxText); err != nil {
		return err
	}
	if err := text("topic", c.Topic, false, 300); err != nil {
		return err
	}
	p.record(m, c)
	return nil
}

// RecordDecision records a decision with its model, outcome and votes.
func (p *Process) RecordDecision(m Meta, d DecisionRecorded) error {
	if err := p.check(m, ActDecide); err != nil {
		return err
	}
	if err := text("decision", d.Decision, true, 100); err != nil {
		return err
	}
	for _, x := range p.Decisions {
		if x.Decision == d.Decision {
			return refuse("duplicate_id", "decision "+d.Decision+" ist bereits vergeben / is already used")
		}
	}
	if err := oneOf("model", d.Model, template.DecisionModels); err != nil {
		return err
	}
	if err := text("subject", d.Subject, true, 1000); err != nil {
		return err
	}
	if err := text("outcome", d.Outcome, true, maxText); err != nil {
		return err
	}
	if d.Votes != nil && (d.Votes.Yes < 0 || d.Votes.No < 0 || d.Votes.Abstain < 0) {
		return invalid("votes", "counts must not be negative")
	}
	if err := checkBody(d); err != nil {
		return err
	}
	p.record(m, d)
	return nil
}

// PublishResult records a published result.
func (p *Process) PublishResult(m Meta, r ResultPublished) error {
	if err := p.check(m, ActPublishResult); err != nil {
		return err
	}
	if err := text("result", r.Result, true, 100); err != nil {
		return err
	}
	for _, x := range p.Results {
		if x.Result == r.Result {
			return refuse("duplicate_id", "result "+r.Result+" ist bereits vergeben / is already used")
		}
	}
	if err := text("title", r.Title, true, 300); err != nil {
		return err
	}
	if err := text("summary", r.Summary, false, maxText); err != nil {
		return err
	}
	p.record(m, r)
	return nil
}

// DefineMeasure defines a measure to implement the results.
func (p *Process) DefineMeasure(m Meta, d MeasureDefined) error {
	if err := p.check(m, ActDefineMeasure); err != nil {
		return err
	}
	_, exists := p.Measures[d.Measure]
	if err := p.newID("measure", d.Measure, exists); err != nil {
		return err
	}
	if err := text("title", d.Title, true, 300); err != nil {
		return err
	}
	p.record(m, d)
	return nil
}

// ReportProgress reports a measure's progress (0–100) and status.
func (p *Process) ReportProgress(m Meta, r MeasureProgressReported) error {
	if err := p.check(m, ActReportProgress); err != nil {
		return err
	}
	if _, ok := p.Measures[r.Measure]; !ok {
		return invalid("measure", "%q is not defined", r.Measure)
	}
	if r.Progress < 0 || r.Progress > 100 {
		return invalid("progress", "%d is not between 0 and 100", r.Progress)
	}
	if !slices.Contains(measureStatuses, r.Status) {
		return invalid("status", "%q is not one of %v", r.Status, measureStatuses)
	}
	if err := text("note", r.Note, false, maxText); err != nil {
		return err
	}
	p.record(m, r)
	return nil
}
