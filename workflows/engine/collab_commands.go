package engine

import (
	"context"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// FormTeam forms a team of a kind the template declares.
type FormTeam struct {
	Team string `json:"team,omitempty"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Action names the command.
func (FormTeam) Action() process.Action { return process.ActFormTeam }

func (c FormTeam) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	return withTemplate(ctx, e, p, func(tpl template.Template) error {
		return p.FormTeam(m, tpl, process.TeamFormed{Team: newIDIfEmpty(c.Team), Kind: c.Kind, Name: c.Name})
	})
}

// withTemplate runs decide with the process's template version.
func withTemplate(ctx context.Context, e *Engine, p *process.Process, decide func(template.Template) error) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return decide(tpl)
}

// JoinTeam adds a participant to a team, within the team kind's size rule.
type JoinTeam struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
}

// Action names the command.
func (JoinTeam) Action() process.Action { return process.ActJoinTeam }

func (c JoinTeam) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	return withTemplate(ctx, e, p, func(tpl template.Template) error { return p.JoinTeam(m, tpl, c.Team, c.Participant) })
}

// LeaveTeam removes a participant from a team.
type LeaveTeam struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// Action names the command.
func (LeaveTeam) Action() process.Action { return process.ActLeaveTeam }

func (c LeaveTeam) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.LeaveTeam(m, c.Team, c.Participant, c.Reason)
}

// AssignCoach assigns a participant as a team's coach.
type AssignCoach struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
}

// Action names the command.
func (AssignCoach) Action() process.Action { return process.ActAssignCoach }

func (c AssignCoach) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.AssignCoach(m, c.Team, c.Participant)
}

// TakeRole gives a participant a process role.
type TakeRole struct {
	Role        string `json:"role"`
	Participant string `json:"participant"`
}

// Action names the command.
func (TakeRole) Action() process.Action { return process.ActTakeRole }

func (c TakeRole) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	return withTemplate(ctx, e, p, func(tpl template.Template) error { return p.TakeRole(m, tpl, c.Role, c.Participant) })
}

// ReleaseRole ends a participant's process role.
type ReleaseRole struct {
	Role        string `json:"role"`
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// Action names the command.
func (ReleaseRole) Action() process.Action { return process.ActReleaseRole }

func (c ReleaseRole) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.ReleaseRole(m, c.Role, c.Participant, c.Reason)
}

// JoinOrganisation records an organisation taking part; the contact person's name and e-mail are
// sealed with the contact's key (a person of the process's tenant, named by a UUID; empty for a
// new one).
type JoinOrganisation struct {
	Organisation string `json:"organisation,omitempty"`
	Name         string `json:"name"`
	Group        string `json:"group"`
	Contact      string `json:"contact,omitempty"`
	ContactName  string `json:"contact_name,omitempty"`
	ContactEmail string `json:"contact_email,omitempty"`
}

// Action names the command.
func (JoinOrganisation) Action() process.Action { return process.ActJoinOrganisation }

func (c JoinOrganisation) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	o := process.OrganisationJoined{Organisation: newIDIfEmpty(c.Organisation), Name: c.Name, Group: c.Group}
	if c.ContactName != "" {
		person, err := NewPersonID(c.Contact)
		if err != nil {
			return err
		}
		o.Contact = PersonID(p.Tenant, person)
		if o.ContactName, err = e.cfg.Vault.Seal(ctx, o.Contact, c.ContactName); err != nil {
			return err
		}
		if c.ContactEmail != "" {
			if o.ContactEmail, err = e.cfg.Vault.Seal(ctx, o.Contact, c.ContactEmail); err != nil {
				return err
			}
		}
	} else if c.Contact != "" || c.ContactEmail != "" {
		return &process.InvalidError{Field: "contact_name", Problem: "is required with a contact person"}
	}
	return p.JoinOrganisation(m, o)
}

// DeclareIndicator declares an indicator of the process, optionally attached to a measure.
type DeclareIndicator struct {
	Indicator      string    `json:"indicator"`
	NameDe         string    `json:"name_de"`
	NameEn         string    `json:"name_en"`
	Unit           string    `json:"unit"`
	Direction      string    `json:"direction"`
	BaselineValue  float64   `json:"baseline_value"`
	BaselineDate   time.Time `json:"baseline_date"`
	BaselineSource string    `json:"baseline_source,omitempty"`
	TargetValue    float64   `json:"target_value"`
	TargetDate     time.Time `json:"target_date"`
	Measure        string    `json:"measure,omitempty"`
}

// Action names the command.
func (DeclareIndicator) Action() process.Action { return process.ActDeclareIndicator }

func (c DeclareIndicator) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	return withTemplate(ctx, e, p, func(tpl template.Template) error {
		return p.DeclareIndicator(m, tpl, process.IndicatorDeclared{Indicator: c.indicator(), Measure: c.Measure})
	})
}

// indicator is the declared indicator.
func (c DeclareIndicator) indicator() template.Indicator {
	return template.Indicator{Key: c.Indicator, Name: template.Text{De: c.NameDe, En: c.NameEn}, Unit: c.Unit, Direction: c.Direction,
		Baseline: template.Measurement{Value: c.BaselineValue, Date: c.BaselineDate, Source: c.BaselineSource},
		Target:   template.Measurement{Value: c.TargetValue, Date: c.TargetDate}}
}

// RecordIndicatorValue records a value of an indicator at a date, with its source.
type RecordIndicatorValue struct {
	Indicator string    `json:"indicator"`
	Value     float64   `json:"value"`
	Date      time.Time `json:"date"`
	Source    string    `json:"source"`
}

// Action names the command.
func (RecordIndicatorValue) Action() process.Action { return process.ActRecordValue }

func (c RecordIndicatorValue) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	return withTemplate(ctx, e, p, func(tpl template.Template) error {
		return p.RecordIndicatorValue(m, tpl, process.IndicatorValueRecorded{Indicator: c.Indicator, Value: c.Value, Date: c.Date, Source: c.Source})
	})
}

// RecordAttendance records which participants attended a held session.
type RecordAttendance struct {
	Session      string   `json:"session"`
	Participants []string `json:"participants"`
}

// Action names the command.
func (RecordAttendance) Action() process.Action { return process.ActRecordAttendance }

func (c RecordAttendance) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.RecordAttendance(m, c.Session, c.Participants)
}

// GiveFeedback records a participant's feedback on a held session; the text is sealed with the
// participant's key.
type GiveFeedback struct {
	Feedback    string         `json:"feedback,omitempty"`
	Session     string         `json:"session"`
	Participant string         `json:"participant"`
	Ratings     map[string]int `json:"ratings,omitempty"`
	Text        string         `json:"text,omitempty"`
}

// Action names the command.
func (GiveFeedback) Action() process.Action { return process.ActGiveFeedback }

func (c GiveFeedback) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	f := process.FeedbackGiven{Feedback: newIDIfEmpty(c.Feedback), Session: c.Session, Participant: c.Participant, Ratings: c.Ratings}
	if c.Text != "" {
		x, ok := p.Participants[c.Participant]
		if !ok {
			return &process.InvalidError{Field: "participant", Problem: "is not registered"}
		}
		if err := process.CheckText("text", c.Text, false, 10_000); err != nil {
			return err
		}
		var err error
		if f.Text, err = e.cfg.Vault.Seal(ctx, x.Person, c.Text); err != nil {
			return err
		}
	}
	return withTemplate(ctx, e, p, func(tpl template.Template) error { return p.GiveFeedback(m, tpl, f) })
}
