package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// work is the acting part of a process page: the forms the signed-in person's role may use in the
// process's state, grouped by the page's sections, and the current stage's exit conditions.
type work struct {
	Tasks, Approvals, Stage, Participants, Sessions, Contributions, Decisions, Results, Measures, Status []*form
	// OpenData is the administrator's form that marks the process public for the open-data
	// export or takes it out again (in every status), and OpenDataLink the export's address.
	OpenData     []*form
	OpenDataLink string
	Conditions   []conditionRow
	// Refused is set when an advance or completion was just refused; Conditions say why.
	Refused bool
	// Conflict lists what others changed since the submitted form was rendered (a 412).
	Conflict []historyRow
	Since    int64
	// Done says what the last command did (after its redirect).
	Done string
}

// conditionRow is one exit condition as the page shows it: met or not, and why not.
type conditionRow struct {
	ID, Kind, Title, Why string
	Met, Refused         bool
}

// workbench builds the forms for a process page; failed is the submission being shown again.
func (d *Dashboard) workbench(ctx context.Context, p *page, a process.Actor, pr *process.Process, tpl domain.Template, failed *formState) (work, error) {
	var w work
	conds, err := d.cfg.Engine.ExitConditions(ctx, pr)
	if err != nil {
		return w, err
	}
	refused := failed != nil && (failed.Command == "advance" || failed.Command == "complete") && len(failed.Reasons) > 0
	w.Refused = refused
	for _, c := range conds {
		row := conditionRow{ID: "cond-" + c.Kind + "-" + c.Key, Kind: p.T("condition." + c.Kind), Title: p.Text(c.Title), Met: c.Met}
		if !c.Met {
			row.Why = p.T("condition.unmet." + c.Kind)
			if c.Problem != "" {
				row.Why += ": " + c.Problem
			}
			row.Refused = refused && slices.Contains(failed.Reasons, c.Reason())
		}
		w.Conditions = append(w.Conditions, row)
	}
	if a.Role == domain.RoleAuditor || a.Role == domain.RoleViewer {
		return w, nil
	}
	fs := &formSet{p: p, process: pr.ID.String(), version: pr.Version, failed: failed}
	if f := fs.openDataForm(a, pr); f != nil {
		w.OpenData, w.OpenDataLink = []*form{f}, openDataLink(pr.Tenant)
	}
	if !open(pr.Status) {
		return w, nil
	}
	if pr.Status == process.StatusSuspended {
		if a.Allowed(process.ActResume) {
			w.Status = append(w.Status, fs.new("resume", "", p.T("form.resume"), "form.resume.submit"))
		}
		w.Status = append(w.Status, fs.cancel(a)...)
		return w, nil
	}
	stage, _ := tpl.Stage(pr.Stage)
	w.Tasks = fs.tasks(a, pr, stage)
	w.Approvals = fs.approvals(a, pr, stage)
	w.Stage = fs.stage(a, tpl, stage)
	if f := d.migrateForm(ctx, fs, a, pr); f != nil {
		w.Stage = append(w.Stage, f)
	}
	d.recordForms(ctx, fs, a, pr, &w)
	if a.Allowed(process.ActSuspend) {
		w.Status = append(w.Status, fs.new("suspend", "", p.T("form.suspend"), "form.suspend.submit", fs.textarea("reason", "field.reason", true)))
	}
	w.Status = append(w.Status, fs.cancel(a)...)
	for _, f := range w.Status {
		f.Danger = true
	}
	return w, nil
}

func (fs *formSet) cancel(a process.Actor) []*form {
	if !a.Allowed(process.ActCancel) {
		return nil
	}
	return []*form{fs.new("cancel", "", fs.p.T("form.cancel"), "form.cancel.submit", fs.textarea("reason", "field.reason", true))}
}

// tasks: complete an open task with its evidence, reopen a done one with a reason.
func (fs *formSet) tasks(a process.Actor, pr *process.Process, stage domain.Stage) []*form {
	if !a.Allowed(process.ActCompleteTask) {
		return nil
	}
	var out []*form
	for _, t := range stage.Tasks {
		title := fs.p.Text(t.Title)
		if _, done := pr.Tasks[pr.Stage][t.Key]; done {
			out = append(out, fs.new("reopen_task", t.Key, fs.p.T("form.reopen_task")+": "+title, "form.reopen_task.submit",
				fs.textarea("reason", "field.reason", true)))
			continue
		}
		ev := fs.textarea("evidence", "field.evidence", true)
		ev.Hint = fs.p.Text(t.Evidence)
		out = append(out, fs.new("complete_task", t.Key, fs.p.T("form.complete_task")+": "+title, "form.complete_task.submit", ev))
	}
	return out
}

// approvals: grant or revoke, for the roles the template names; never for the process's lead
// (four-eyes).
func (fs *formSet) approvals(a process.Actor, pr *process.Process, stage domain.Stage) []*form {
	var out []*form
	for _, ap := range stage.Approvals {
		if !ap.MayGrant(a.Role) || a.User == pr.Lead {
			continue
		}
		title := fs.p.Text(ap.Title)
		if _, ok := pr.Approvals[pr.Stage][ap.Key]; ok {
			out = append(out, fs.new("revoke_approval", ap.Key, fs.p.T("form.revoke_approval")+": "+title, "form.revoke_approval.submit",
				fs.textarea("reason", "field.reason", true)))
		} else {
			out = append(out, fs.new("grant_approval", ap.Key, fs.p.T("form.grant_approval")+": "+title, "form.grant_approval.submit",
				fs.textarea("note", "field.note", false)))
		}
	}
	return out
}

// stage: advance (or complete from the last stage) and go back, for the roles the stage allows.
func (fs *formSet) stage(a process.Actor, tpl domain.Template, stage domain.Stage) []*form {
	if !stage.MayAdvance(a.Role) {
		return nil
	}
	var out []*form
	i := tpl.StageIndex(stage.Key)
	switch {
	case i >= 0 && i+1 < len(tpl.Stages):
		next := fs.p.Text(tpl.Stages[i+1].Title)
		out = append(out, fs.new("advance", "", fs.p.T("form.advance")+": "+next, "form.advance.submit"))
	case a.Allowed(process.ActComplete):
		out = append(out, fs.new("complete", "", fs.p.T("form.complete"), "form.complete.submit"))
	}
	if len(stage.BackTo) > 0 {
		to := field{Name: "to", Label: fs.p.T("field.to"), Kind: "select", Required: true}
		for _, k := range stage.BackTo {
			if s, ok := tpl.Stage(k); ok {
				to.Options = append(to.Options, option{k, fs.p.Text(s.Title)})
			}
		}
		out = append(out, fs.new("go_back", "", fs.p.T("form.go_back"), "form.go_back.submit", to, fs.textarea("reason", "field.reason", true)))
	}
	return out
}

// note adds what the page says about the last submission: the command done (after the
// redirect), or what changed since a conflicting form was rendered.
func (w *work) note(p *page, r *http.Request, failed *formState, hist []historyRow) {
	if failed == nil {
		if done := r.URL.Query().Get("done"); sectionOf[done] != "" {
			w.Done = p.T("done." + done)
		}
		return
	}
	if failed.Since > 0 {
		w.Since = failed.Since
		for _, h := range hist {
			if h.Version > failed.Since {
				w.Conflict = append(w.Conflict, h)
			}
		}
	}
}
