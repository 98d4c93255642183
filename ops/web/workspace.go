package web

import (
	"context"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
)

// workspaceLimit bounds how many running processes the first screen loads to look for blocked
// gates and next sessions.
const workspaceLimit = 200

// soon is how far ahead the first screen looks for sessions and due measures.
const soon = 14 * 24 * time.Hour

// workspace answers "what needs me?" on the first screen: the processes I lead, stages past their
// target, stages whose work is done but whose approvals or gates are not, the next sessions and
// the measures due soon or overdue. Only the roles that work on processes get it.
type workspace struct {
	Mine, Overdue, Blocked []needRow
	Sessions               []sessionNeed
	Deadlines              []deadlineNeed // periods.go
	Measures               []measureRow
	Open                   *form
	Templates              int
}

// needRow is a process that needs attention, and why.
type needRow struct {
	ID, Title, Stage, Why string
}

type sessionNeed struct {
	ProcessID, Process, Title, Format, Date string
	Past                                    bool
}

func worksOnProcesses(a process.Actor) bool {
	return a.Role == domain.RoleAdministrator || a.Role == domain.RoleLead || a.Role == domain.RoleMember
}

// workspace builds the first screen's answers from the overview rows and the running processes.
func (d *Dashboard) workspace(ctx context.Context, p *page, a process.Actor, rows []overview.Row, failed *formState) (*workspace, error) {
	if !worksOnProcesses(a) {
		return nil, nil
	}
	ws := &workspace{}
	now := d.cfg.Now()
	loaded := 0
	for _, row := range rows {
		if !open(process.Status(row.Status)) || loaded >= workspaceLimit {
			continue
		}
		stage, _, _ := d.stageOf(ctx, row.Template, row.TemplateVersion, row.Stage)
		if row.Overdue {
			ws.Overdue = append(ws.Overdue, needRow{ID: row.ID, Title: row.Title, Stage: p.Text(stage.Title),
				Why: sprintf(p.T("work.overdue.why"), row.DaysInStage, row.TargetDays)})
		}
		id, err := uuid.Parse(row.ID)
		if err != nil {
			continue
		}
		pr, err := d.cfg.Engine.Load(ctx, a, id)
		if err != nil {
			continue // gone or not visible: the read model is a little behind
		}
		loaded++
		if pr.Lead == a.User {
			ws.Mine = append(ws.Mine, needRow{ID: row.ID, Title: row.Title, Stage: p.Text(stage.Title), Why: p.T("status." + row.Status)})
		}
		if why := d.blocked(ctx, p, pr); why != "" {
			ws.Blocked = append(ws.Blocked, needRow{ID: row.ID, Title: row.Title, Stage: p.Text(stage.Title), Why: why})
		}
		ws.Deadlines = append(ws.Deadlines, d.deadlineNeeds(ctx, p, pr, now)...)
		for _, s := range pr.Sessions {
			if !s.Held && s.Date.Before(now.Add(soon)) {
				ws.Sessions = append(ws.Sessions, sessionNeed{ProcessID: row.ID, Process: row.Title, Title: s.Title,
					Format: p.Vocab(domain.Formats[s.Format]), Date: p.DateTime(s.Date), Past: s.Date.Before(now)})
			}
		}
	}
	sort.SliceStable(ws.Sessions, func(i, j int) bool { return ws.Sessions[i].Date < ws.Sessions[j].Date })
	var err error
	if ws.Measures, err = d.dueMeasures(ctx, p, a, now); err != nil {
		return nil, err
	}
	ws.Open, ws.Templates, err = d.openForm(ctx, p, a, failed)
	return ws, err
}

// blocked says why a process whose required tasks are all done still cannot leave its stage (the
// approvals or gates that do not hold), or "" when it can or its tasks are still open.
func (d *Dashboard) blocked(ctx context.Context, p *page, pr *process.Process) string {
	if pr.Status != process.StatusActive {
		return ""
	}
	conds, err := d.cfg.Engine.ExitConditions(ctx, pr)
	if err != nil {
		return ""
	}
	var unmet []string
	for _, c := range conds {
		if c.Kind == process.ConditionTask && !c.Met {
			return ""
		}
		if !c.Met {
			unmet = append(unmet, p.T("condition."+c.Kind)+": "+p.Text(c.Title))
		}
	}
	return joinList(unmet)
}

// dueMeasures are the measures overdue or due within two weeks, neither done nor cancelled.
func (d *Dashboard) dueMeasures(ctx context.Context, p *page, a process.Actor, now time.Time) ([]measureRow, error) {
	res, err := implementation.List(ctx, d.cfg.ReadModels, implementation.Query{Tenant: tenantOf(a), Now: now})
	if err != nil {
		return nil, err
	}
	var out []measureRow
	for _, m := range res.Measures {
		if m.Due.IsZero() || m.Status == "done" || m.Status == "cancelled" || m.Due.After(now.Add(soon)) {
			continue
		}
		out = append(out, measureRow{ProcessID: m.Process, Process: m.ProcessTitle, Title: m.Title, Due: p.Date(m.Due),
			Overdue: m.Overdue, Status: p.T("measure." + m.Status), Bar: newProgressBar(m.Progress)})
	}
	return out, nil
}
