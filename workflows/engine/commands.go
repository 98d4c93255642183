package engine

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// openNamespace derives process IDs from command IDs, so that a retried open finds its process.
var openNamespace = uuid.MustParse("6f1c3f0e-8d0a-4f6e-9c1b-2a7e5d4c3b21")

// OpenProcess opens a process from a template version (0: the latest). Template is resolved for
// the actor (Engine.Resolve): the tenant's own template of that ID first, then the
// installation's; the process records the template's full ID.
type OpenProcess struct {
	Template        string `json:"template"`
	TemplateVersion int    `json:"template_version,omitempty"`
	Title           string `json:"title"`
	Lead            string `json:"lead,omitempty"`
	Programme       string `json:"programme,omitempty"`
}

// Open opens a process. With a caller's command ID, the process ID is derived from it and the
// tenant, so a retry returns the process opened the first time.
func (e *Engine) Open(ctx context.Context, m process.Meta, in OpenProcess) (Result, error) {
	id := uuid.Must(uuid.NewV7())
	if m.CommandID != "" {
		id = uuid.NewSHA1(openNamespace, []byte(m.Actor.Tenant+"\x00"+m.CommandID))
	}
	m = e.meta(m)
	defer e.lock(id)()
	if !m.Actor.Allowed(process.ActOpen) {
		return Result{}, &process.ForbiddenError{Role: m.Actor.Role, Action: string(process.ActOpen)}
	}
	existing, current, err := e.take(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if existing.Version > 0 {
		v, ok, err := e.handled(ctx, StreamOf(id), existing, m.CommandID)
		e.put(existing, current)
		if err != nil {
			return Result{}, err
		}
		if ok {
			if err := e.sameRequest(ctx, id, v, m); err != nil {
				return Result{}, err
			}
			return Result{Process: id, Version: v, Duplicate: true}, nil
		}
		return Result{}, errors.New("engine: process ID already in use")
	}
	if in.Template == "" {
		return Result{}, &process.InvalidError{Field: "template", Problem: "is required"}
	}
	tv, err := e.TemplateFor(ctx, m.Actor, in.Template, in.TemplateVersion)
	if err != nil {
		return Result{}, err
	}
	p, err := process.Open(m, process.OpenInput{ID: id, Title: in.Title, Lead: in.Lead, Programme: in.Programme}, tv.Template, tv.Retired)
	if err != nil {
		return Result{}, err
	}
	appended, err := e.append(ctx, m, p, 0)
	if err != nil {
		return Result{}, err
	}
	e.settle(ctx, p)
	return Result{Process: id, Version: p.Version, Position: appended.Position}, nil
}

// templateOf returns the process's template version. A published version never changes (only
// its retirement, which a running process ignores), so a version already read is taken from the
// cache without reading the template's stream: every command asks for its process's template,
// and each read is a store transaction.
func (e *Engine) templateOf(ctx context.Context, p *process.Process) (template.Template, error) {
	if t, ok := e.templates.published(p.TemplateID, p.TemplateVersion); ok {
		return t, nil
	}
	tv, err := e.Template(ctx, p.TemplateID, p.TemplateVersion)
	return tv.Template, err
}

func newIDIfEmpty(s string) string {
	if s == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	return s
}

// CompleteTask completes a task of the current stage with its evidence.
type CompleteTask struct {
	Task     string `json:"task"`
	Evidence string `json:"evidence"`
}

// Action names the command.
func (CompleteTask) Action() process.Action { return process.ActCompleteTask }

func (c CompleteTask) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.CompleteTask(m, tpl, c.Task, c.Evidence)
}

// ReopenTask reopens a completed task of the current stage.
type ReopenTask struct {
	Task   string `json:"task"`
	Reason string `json:"reason"`
}

// Action names the command.
func (ReopenTask) Action() process.Action { return process.ActReopenTask }

func (c ReopenTask) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.ReopenTask(m, c.Task, c.Reason)
}

// GrantApproval grants an approval of the current stage.
type GrantApproval struct {
	Approval string `json:"approval"`
	Note     string `json:"note,omitempty"`
}

// Action names the command.
func (GrantApproval) Action() process.Action { return process.ActGrantApproval }

func (c GrantApproval) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.GrantApproval(m, tpl, c.Approval, c.Note)
}

// RevokeApproval revokes an approval of the current stage.
type RevokeApproval struct {
	Approval string `json:"approval"`
	Reason   string `json:"reason"`
}

// Action names the command.
func (RevokeApproval) Action() process.Action { return process.ActRevokeApproval }

func (c RevokeApproval) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.RevokeApproval(m, tpl, c.Approval, c.Reason)
}

// Advance moves the process to its next stage when every condition holds.
type Advance struct {
	// OverrideReason, when given, lets the process leave its stage although an enforced period
	// is not kept; each such period is recorded with the reason.
	OverrideReason string `json:"override_reason,omitempty"`
}

// Action names the command.
func (Advance) Action() process.Action { return process.ActAdvance }

func (c Advance) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	gates, err := e.gatesFor(ctx, p)
	if err != nil {
		return err
	}
	return p.AdvanceOverriding(m, tpl, gates, c.OverrideReason)
}

// GoBack returns to an earlier stage the template allows.
type GoBack struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// Action names the command.
func (GoBack) Action() process.Action { return process.ActGoBack }

func (c GoBack) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.GoBack(m, tpl, c.To, c.Reason)
}

// RegisterParticipant registers a participant; name and e-mail are sealed with the person's key.
// Person is an opaque person ID (a UUID): empty, the engine issues one; the same UUID in another
// registration of the tenant is the same person (one key, one erasure). Participant, the key of
// the registration in the process, is letters, digits, '-' and '_' (no e-mail address, no name
// with spaces), or empty for a new UUID.
type RegisterParticipant struct {
	Participant string `json:"participant,omitempty"`
	Person      string `json:"person,omitempty"`
	Group       string `json:"group"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
}

// Action names the command.
func (RegisterParticipant) Action() process.Action { return process.ActRegister }

func (c RegisterParticipant) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	if c.Name == "" {
		return &process.InvalidError{Field: "name", Problem: "is required"}
	}
	if c.Participant != "" && !shortKey.MatchString(c.Participant) {
		return &process.InvalidError{Field: "participant",
			Problem: "ist keine Kennung (Buchstaben, Ziffern, - und _; kein Name, keine E-Mail-Adresse) / is not a key (letters, digits, - and _; no name, no e-mail address)"}
	}
	person, err := NewPersonID(c.Person)
	if err != nil {
		return err
	}
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	in := process.RegisterInput{Participant: newIDIfEmpty(c.Participant), Person: PersonID(p.Tenant, person), Group: c.Group}
	if in.Name, err = e.cfg.Vault.Seal(ctx, in.Person, c.Name); err != nil {
		return err
	}
	if c.Email != "" {
		if in.Email, err = e.cfg.Vault.Seal(ctx, in.Person, c.Email); err != nil {
			return err
		}
	}
	return p.RegisterParticipantIn(m, tpl, in)
}

// WithdrawParticipant withdraws a participant.
type WithdrawParticipant struct {
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// Action names the command.
func (WithdrawParticipant) Action() process.Action { return process.ActWithdraw }

func (c WithdrawParticipant) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.WithdrawParticipant(m, c.Participant, c.Reason)
}

// ScheduleSession schedules a session.
type ScheduleSession struct {
	Session string    `json:"session,omitempty"`
	Title   string    `json:"title"`
	Format  string    `json:"format"`
	Date    time.Time `json:"date"`
	Place   string    `json:"place,omitempty"`
	Online  bool      `json:"online,omitempty"`
	// DurationMinutes and RRule (RFC 5545 subset) make a timed series.
	DurationMinutes int    `json:"duration_minutes,omitempty"`
	RRule           string `json:"rrule,omitempty"`
}

// Action names the command.
func (ScheduleSession) Action() process.Action { return process.ActSchedule }

func (c ScheduleSession) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	return p.ScheduleSessionIn(m, tpl, process.SessionScheduled{Session: newIDIfEmpty(c.Session), Title: c.Title,
		Format: c.Format, Date: c.Date, Place: c.Place, Online: c.Online, DurationMinutes: c.DurationMinutes, RRule: c.RRule})
}

// HoldSession records that a session was held.
type HoldSession struct {
	Session    string `json:"session"`
	Attendance int    `json:"attendance"`
	Notes      string `json:"notes,omitempty"`
}

// Action names the command.
func (HoldSession) Action() process.Action { return process.ActHold }

func (c HoldSession) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.HoldSession(m, c.Session, c.Attendance, c.Notes)
}

// RecordContribution records a contribution; a participant's text is sealed with their key.
type RecordContribution struct {
	Contribution string `json:"contribution,omitempty"`
	Session      string `json:"session,omitempty"`
	Participant  string `json:"participant,omitempty"`
	Topic        string `json:"topic,omitempty"`
	Text         string `json:"text"`
	// ReceivedAt is when the contribution was received (e.g. a letter's date of receipt), as the
	// actor states; default now. One received after the period for responses is flagged late.
	ReceivedAt time.Time `json:"received_at,omitzero"`
}

// Action names the command.
func (RecordContribution) Action() process.Action { return process.ActContribute }

func (c RecordContribution) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	rec := process.ContributionRecorded{Contribution: newIDIfEmpty(c.Contribution), Session: c.Session,
		Participant: c.Participant, Topic: c.Topic, PlainText: c.Text, ReceivedAt: c.ReceivedAt}
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	if c.Participant != "" {
		x, ok := p.Participants[c.Participant]
		if !ok {
			return &process.InvalidError{Field: "participant", Problem: "is not registered"}
		}
		if c.Text == "" {
			return &process.InvalidError{Field: "text", Problem: "is required"}
		}
		sealed, err := e.cfg.Vault.Seal(ctx, x.Person, c.Text)
		if err != nil {
			return err
		}
		rec.Text, rec.PlainText = sealed, ""
	}
	return p.RecordReceivedContribution(m, tpl, rec)
}

// RecordDecision records a decision.
type RecordDecision struct {
	Decision string         `json:"decision,omitempty"`
	Subject  string         `json:"subject"`
	Model    string         `json:"model"`
	Outcome  string         `json:"outcome"`
	Votes    *process.Votes `json:"votes,omitempty"`
	// Body is the body that decided (council, committee, steering_group …); Adopted says it
	// adopted the subject.
	Body    string `json:"body,omitempty"`
	Adopted bool   `json:"adopted,omitempty"`
}

// Action names the command.
func (RecordDecision) Action() process.Action { return process.ActDecide }

func (c RecordDecision) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.RecordDecision(m, process.DecisionRecorded{Decision: newIDIfEmpty(c.Decision), Subject: c.Subject,
		Model: c.Model, Outcome: c.Outcome, Votes: c.Votes, Body: c.Body, Adopted: c.Adopted})
}

// PublishResult publishes a result.
type PublishResult struct {
	Result  string `json:"result,omitempty"`
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Action names the command.
func (PublishResult) Action() process.Action { return process.ActPublishResult }

func (c PublishResult) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.PublishResult(m, process.ResultPublished{Result: newIDIfEmpty(c.Result), Title: c.Title, Summary: c.Summary, URL: c.URL})
}

// DefineMeasure defines a measure.
type DefineMeasure struct {
	Measure string    `json:"measure,omitempty"`
	Title   string    `json:"title"`
	Owner   string    `json:"owner,omitempty"`
	Due     time.Time `json:"due,omitzero"`
}

// Action names the command.
func (DefineMeasure) Action() process.Action { return process.ActDefineMeasure }

func (c DefineMeasure) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.DefineMeasure(m, process.MeasureDefined{Measure: newIDIfEmpty(c.Measure), Title: c.Title, Owner: c.Owner, Due: c.Due})
}

// ReportProgress reports a measure's progress.
type ReportProgress struct {
	Measure  string `json:"measure"`
	Progress int    `json:"progress"`
	Status   string `json:"status"`
	Note     string `json:"note,omitempty"`
}

// Action names the command.
func (ReportProgress) Action() process.Action { return process.ActReportProgress }

func (c ReportProgress) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.ReportProgress(m, process.MeasureProgressReported{Measure: c.Measure, Progress: c.Progress, Status: c.Status, Note: c.Note})
}

// Suspend pauses the process.
type Suspend struct {
	Reason string `json:"reason"`
}

// Action names the command.
func (Suspend) Action() process.Action { return process.ActSuspend }

func (c Suspend) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.Suspend(m, c.Reason)
}

// Resume continues a suspended process.
type Resume struct{}

// Action names the command.
func (Resume) Action() process.Action { return process.ActResume }

func (Resume) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.Resume(m)
}

// Cancel ends the process early.
type Cancel struct {
	Reason string `json:"reason"`
}

// Action names the command.
func (Cancel) Action() process.Action { return process.ActCancel }

func (c Cancel) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.Cancel(m, c.Reason)
}

// Complete ends the process from its last stage.
type Complete struct {
	// OverrideReason, when given, lets the process complete although an enforced period is not
	// kept; each such period is recorded with the reason.
	OverrideReason string `json:"override_reason,omitempty"`
}

// Action names the command.
func (Complete) Action() process.Action { return process.ActComplete }

func (c Complete) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	gates, err := e.gatesFor(ctx, p)
	if err != nil {
		return err
	}
	return p.CompleteOverriding(m, tpl, gates, c.OverrideReason)
}

// Migrate moves the process to another version of its template.
type Migrate struct {
	ToVersion    int               `json:"to_version"`
	StageMapping map[string]string `json:"stage_mapping,omitempty"`
	Reason       string            `json:"reason"`
	// OverrideReason, when given, lets the migration move the process out of a stage whose
	// enforced period is not kept; each such period is recorded with the reason.
	OverrideReason string `json:"override_reason,omitempty"`
}

// Action names the command.
func (Migrate) Action() process.Action { return process.ActMigrate }

func (c Migrate) run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error {
	from, err := e.templateOf(ctx, p)
	if err != nil {
		return err
	}
	to, err := e.Template(ctx, p.TemplateID, c.ToVersion)
	if err != nil {
		return err
	}
	gates, err := e.gatesFor(ctx, p)
	if err != nil {
		return err
	}
	return p.MigrateOverriding(m, from, to.Template, c.StageMapping, c.Reason, c.OverrideReason, gates)
}

// SetOpenData marks the process public for the open-data export, or private again. Public is
// required: a body without it is refused naming the field.
type SetOpenData struct {
	Public *bool `json:"public"`
}

// Action names the command.
func (SetOpenData) Action() process.Action { return process.ActSetOpenData }

func (c SetOpenData) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.SetOpenData(m, c.Public)
}
