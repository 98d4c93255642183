package httpapi

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

type templateRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

type taskView struct {
	Key      string        `json:"key"`
	Title    template.Text `json:"title"`
	Required bool          `json:"required"`
	Done     bool          `json:"done"`
	Evidence string        `json:"evidence,omitempty"`
	By       string        `json:"by,omitempty"`
}

type approvalView struct {
	Key     string        `json:"key"`
	Title   template.Text `json:"title"`
	Granted bool          `json:"granted"`
	By      string        `json:"by,omitempty"`
}

type participantView struct {
	ID string `json:"id"`
	// Person is the opaque person ID (a UUID) that erasure names; not shown to viewers.
	Person    string `json:"person,omitempty"`
	Group     string `json:"group"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Withdrawn bool   `json:"withdrawn"`
}

type sessionView struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Format     string    `json:"format"`
	Date       time.Time `json:"date"`
	Place      string    `json:"place,omitempty"`
	Online     bool      `json:"online"`
	Held       bool      `json:"held"`
	Attendance int       `json:"attendance"`
}

type measureView struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Owner    string `json:"owner,omitempty"`
	Progress int    `json:"progress"`
	Status   string `json:"status"`
}

type processView struct {
	ID             uuid.UUID                  `json:"id"`
	Tenant         string                     `json:"tenant"`
	Title          string                     `json:"title"`
	Lead           string                     `json:"lead"`
	Programme      string                     `json:"programme,omitempty"`
	Template       templateRef                `json:"template"`
	Status         process.Status             `json:"status"`
	Stage          string                     `json:"stage"`
	StageTitle     template.Text              `json:"stage_title"`
	StageEnteredAt time.Time                  `json:"stage_entered_at"`
	TargetDays     int                        `json:"target_days,omitempty"`
	OpenedAt       time.Time                  `json:"opened_at"`
	ClosedAt       *time.Time                 `json:"closed_at,omitempty"`
	Version        int64                      `json:"version"`
	Timeline       []process.StageVisit       `json:"timeline"`
	Tasks          []taskView                 `json:"tasks"`
	Approvals      []approvalView             `json:"approvals"`
	Participants   []participantView          `json:"participants"`
	Sessions       []sessionView              `json:"sessions"`
	Contributions  int                        `json:"contributions"`
	Decisions      []process.DecisionRecorded `json:"decisions"`
	Results        []process.ResultPublished  `json:"results"`
	Measures       []measureView              `json:"measures"`
	AsOf           *time.Time                 `json:"as_of,omitempty"`
	Collab         collabView                 `json:"collab"`
}

// seesPersonalData reports whether the role may read participants' names and e-mail addresses.
func seesPersonalData(a process.Actor) bool { return a.SeesPersonalData() }

// reveal opens sealed personal data; erased data reads as the erasure's notice (when, by which
// role, under Art. 17 GDPR), or as engine.Erased when the erasure's record cannot be read.
func (a *API) reveal(ctx context.Context, s process.Sealed) string {
	text := a.cfg.Engine.Reveal(ctx, s)
	if text != engine.Erased {
		return text
	}
	pe, ok, err := a.cfg.Engine.Erasure(ctx, s.Person)
	if err != nil {
		a.cfg.Logger.Warn("httpapi: erasure record not readable", "err", err)
	}
	if !ok {
		return text
	}
	return pe.Notice()
}

func (a *API) view(ctx context.Context, p *process.Process, actor process.Actor) processView {
	tpl, _ := a.cfg.Engine.Template(ctx, p.TemplateID, p.TemplateVersion)
	stage, _ := tpl.Template.Stage(p.Stage)
	v := processView{
		ID: p.ID, Tenant: p.Tenant, Title: p.Title, Lead: p.Lead, Programme: p.Programme,
		Template: templateRef{p.TemplateID, p.TemplateVersion}, Status: p.Status, Stage: p.Stage,
		StageTitle: stage.Title, StageEnteredAt: p.StageEnteredAt, TargetDays: stage.TargetDays,
		OpenedAt: p.OpenedAt, Version: p.Version, Timeline: p.Timeline, Contributions: p.Contributions,
		Decisions: p.Decisions, Results: p.Results,
		Tasks: []taskView{}, Approvals: []approvalView{}, Participants: []participantView{}, Sessions: []sessionView{}, Measures: []measureView{},
	}
	if v.Timeline == nil {
		v.Timeline = []process.StageVisit{}
	}
	if v.Decisions == nil {
		v.Decisions = []process.DecisionRecorded{}
	}
	if v.Results == nil {
		v.Results = []process.ResultPublished{}
	}
	if !p.ClosedAt.IsZero() {
		v.ClosedAt = &p.ClosedAt
	}
	for _, t := range stage.Tasks {
		rec, done := p.Tasks[p.Stage][t.Key]
		v.Tasks = append(v.Tasks, taskView{Key: t.Key, Title: t.Title, Required: t.Required, Done: done, Evidence: rec.Evidence, By: rec.By})
	}
	for _, ap := range stage.Approvals {
		rec, ok := p.Approvals[p.Stage][ap.Key]
		v.Approvals = append(v.Approvals, approvalView{Key: ap.Key, Title: ap.Title, Granted: ok, By: rec.By})
	}
	for _, x := range p.Participants {
		pv := participantView{ID: x.ID, Group: x.Group, Withdrawn: x.Withdrawn}
		if seesPersonalData(actor) {
			_, pv.Person, _ = strings.Cut(x.Person, ":")
			pv.Name = a.reveal(ctx, x.Name)
			pv.Email = a.reveal(ctx, x.Email)
		}
		v.Participants = append(v.Participants, pv)
	}
	sort.Slice(v.Participants, func(i, j int) bool { return v.Participants[i].ID < v.Participants[j].ID })
	for _, s := range p.Sessions {
		v.Sessions = append(v.Sessions, sessionView{ID: s.Session, Title: s.Title, Format: s.Format, Date: s.Date,
			Place: s.Place, Online: s.Online, Held: s.Held, Attendance: s.Attendance})
	}
	sort.Slice(v.Sessions, func(i, j int) bool { return v.Sessions[i].Date.Before(v.Sessions[j].Date) })
	for _, m := range p.Measures {
		v.Measures = append(v.Measures, measureView{ID: m.Measure, Title: m.Title, Owner: m.Owner, Progress: m.Progress, Status: m.Status})
	}
	sort.Slice(v.Measures, func(i, j int) bool { return v.Measures[i].ID < v.Measures[j].ID })
	v.Collab = a.collabView(ctx, p, tpl.Template, actor)
	return v
}

// commands maps the path segment of each process command to a new command value.
var commands = map[string]func() engine.Command{
	"complete_task":        func() engine.Command { return &engine.CompleteTask{} },
	"reopen_task":          func() engine.Command { return &engine.ReopenTask{} },
	"grant_approval":       func() engine.Command { return &engine.GrantApproval{} },
	"revoke_approval":      func() engine.Command { return &engine.RevokeApproval{} },
	"advance":              func() engine.Command { return &engine.Advance{} },
	"go_back":              func() engine.Command { return &engine.GoBack{} },
	"register_participant": func() engine.Command { return &engine.RegisterParticipant{} },
	"withdraw_participant": func() engine.Command { return &engine.WithdrawParticipant{} },
	"schedule_session":     func() engine.Command { return &engine.ScheduleSession{} },
	"hold_session":         func() engine.Command { return &engine.HoldSession{} },
	"record_contribution":  func() engine.Command { return &engine.RecordContribution{} },
	"record_decision":      func() engine.Command { return &engine.RecordDecision{} },
	"publish_result":       func() engine.Command { return &engine.PublishResult{} },
	"define_measure":       func() engine.Command { return &engine.DefineMeasure{} },
	"report_progress":      func() engine.Command { return &engine.ReportProgress{} },
	"suspend":              func() engine.Command { return &engine.Suspend{} },
	"resume":               func() engine.Command { return &engine.Resume{} },
	"cancel":               func() engine.Command { return &engine.Cancel{} },
	"complete":             func() engine.Command { return &engine.Complete{} },
	"migrate":              func() engine.Command { return &engine.Migrate{} },
	"set_date":             func() engine.Command { return &engine.SetDate{} },
	"extend_deadline":      func() engine.Command { return &engine.ExtendDeadline{} },
	"set_open_data":        func() engine.Command { return &engine.SetOpenData{} },
}

// Commands returns the names of the process commands (the last path segment).
func Commands() []string {
	out := make([]string, 0, len(commands))
	for k := range commands {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NewCommand returns a new, empty command for a command name (the last path segment), as the CLI
// builds its flags from the command's fields.
func NewCommand(name string) (engine.Command, bool) {
	f, ok := commands[name]
	if !ok {
		return nil, false
	}
	return f(), true
}
