package process

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicflow/civicflow/domain/template"
	"github.com/google/uuid"
)

// maxText is the longest free text a command accepts, in bytes.
const maxText = 10_000

func text(field, s string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return invalid(field, "is required")
	case len(s) > max:
		return invalid(field, "is %d bytes long, more than %d", len(s), max)
	case !utf8.ValidString(s):
		return invalid(field, "is not valid UTF-8")
	}
	return nil
}

// OpenInput is what opening a process needs.
type OpenInput struct {
	// ID is the new process's ID (the engine derives it from the command ID).
	ID        uuid.UUID
	Title     string
	Lead      string
	Programme string
}

// Open opens a process from a published, not retired template version in its first stage. The
// actor's tenant becomes the process's tenant.
func Open(m Meta, in OpenInput, tpl template.Template, retired bool) (*Process, error) {
	if err := authorise(m.Actor, ActOpen); err != nil {
		return nil, err
	}
	if m.Actor.Tenant == "" {
		return nil, invalid("tenant", "is required: the process belongs to the actor's tenant")
	}
	for _, err := range []error{
		text("title", in.Title, true, 300), text("lead", in.Lead, false, 100), text("programme", in.Programme, false, 200),
	} {
		if err != nil {
			return nil, err
		}
	}
	if in.ID == uuid.Nil {
		return nil, invalid("id", "is required")
	}
	if tpl.Version < 1 || len(tpl.Stages) == 0 {
		return nil, invalid("template", "%q is not a published template", tpl.ID)
	}
	if retired {
		return nil, refuse("template_retired", fmt.Sprintf("Vorlage %s v%d ist zurückgezogen / template %s v%d is retired", tpl.ID, tpl.Version, tpl.ID, tpl.Version))
	}
	lead := in.Lead
	if lead == "" {
		lead = m.Actor.User
	}
	p := New(in.ID)
	p.record(m, ProcessOpened{
		TemplateID: tpl.ID, TemplateVersion: tpl.Version, TemplateHash: template.Hash(tpl), Title: in.Title,
		Tenant: m.Actor.Tenant, Lead: lead, Programme: in.Programme, Stage: tpl.Stages[0].Key, At: m.Now,
	})
	return p, nil
}

// check is the common start of every command on an existing process: visible to the actor,
// allowed for the role, and in a status that allows it.
func (p *Process) check(m Meta, act Action) error {
	if p.Version == 0 || !m.Actor.Sees(p.Tenant) {
		return ErrNotFound
	}
	if act != ActGrantApproval && act != ActRevokeApproval && act != ActAdvance && act != ActGoBack {
		if err := authorise(m.Actor, act); err != nil {
			return err
		}
	} else if !m.Actor.Acts() {
		return &ForbiddenError{Role: m.Actor.Role, Action: string(act)}
	}
	switch {
	case act == ActResume && p.Status != StatusSuspended:
		return refuse("not_suspended", "Verfahren ist nicht ausgesetzt / process is not suspended")
	case act != ActResume && p.Status == StatusSuspended && act != ActCancel:
		return refuse("suspended", "Verfahren ist ausgesetzt / process is suspended")
	case act != ActResume && p.Status != StatusActive && p.Status != StatusSuspended:
		return refuse("closed", fmt.Sprintf("Verfahren ist beendet (%s) / process is closed (%s)", p.Status, p.Status))
	}
	return nil
}

// CompleteTask records a task of the current stage as done with its evidence.
func (p *Process) CompleteTask(m Meta, tpl template.Template, task, evidence string) error {
	if err := p.check(m, ActCompleteTask); err != nil {
		return err
	}
	stage, _ := tpl.Stage(p.Stage)
	if _, ok := stage.Task(task); !ok {
		return invalid("task", "%q is not a task of stage %q", task, p.Stage)
	}
	if err := text("evidence", evidence, true, maxText); err != nil {
		return err
	}
	if _, done := p.Tasks[p.Stage][task]; done {
		return refuse("task_done", "Aufgabe ist bereits erledigt / task is already done: "+task)
	}
	p.record(m, TaskCompleted{Stage: p.Stage, Task: task, Evidence: evidence, By: m.Actor.User, At: m.Now})
	return nil
}

// ReopenTask undoes a completed task of the current stage, for a reason.
func (p *Process) ReopenTask(m Meta, task, reason string) error {
	if err := p.check(m, ActReopenTask); err != nil {
		return err
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	if _, done := p.Tasks[p.Stage][task]; !done {
		return refuse("task_not_done", "Aufgabe ist nicht erledigt / task is not done: "+task)
	}
	p.record(m, TaskReopened{Stage: p.Stage, Task: task, Reason: reason, By: m.Actor.User})
	return nil
}

// GrantApproval records a sign-off of the current stage. The template says which roles may grant
// it, and the process lead may never approve their own process (four-eyes).
func (p *Process) GrantApproval(m Meta, tpl template.Template, approval, note string) error {
	if err := p.check(m, ActGrantApproval); err != nil {
		return err
	}
	stage, _ := tpl.Stage(p.Stage)
	a, ok := stage.Approval(approval)
	switch {
	case !ok:
		return invalid("approval", "%q is not an approval of stage %q", approval, p.Stage)
	case !a.MayGrant(m.Actor.Role):
		return &ForbiddenError{Role: m.Actor.Role, Action: "grant approval " + approval}
	case m.Actor.User == p.Lead:
		return refuse("four_eyes", "Die Projektleitung kann ihr eigenes Verfahren nicht freigeben / the process lead cannot approve their own process")
	}
	if err := text("note", note, false, maxText); err != nil {
		return err
	}
	if _, granted := p.Approvals[p.Stage][approval]; granted {
		return refuse("approval_granted", "Freigabe liegt bereits vor / approval already granted: "+approval)
	}
	p.record(m, ApprovalGranted{Stage: p.Stage, Approval: approval, By: m.Actor.User, Role: m.Actor.Role, Note: note})
	return nil
}

// RevokeApproval withdraws a sign-off of the current stage, for a reason.
func (p *Process) RevokeApproval(m Meta, tpl template.Template, approval, reason string) error {
	if err := p.check(m, ActRevokeApproval); err != nil {
		return err
	}
	stage, _ := tpl.Stage(p.Stage)
	a, ok := stage.Approval(approval)
	switch {
	case !ok:
		return invalid("approval", "%q is not an approval of stage %q", approval, p.Stage)
	case !a.MayGrant(m.Actor.Role):
		return &ForbiddenError{Role: m.Actor.Role, Action: "revoke approval " + approval}
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	if _, granted := p.Approvals[p.Stage][approval]; !granted {
		return refuse("approval_not_granted", "Freigabe liegt nicht vor / approval not granted: "+approval)
	}
	p.record(m, ApprovalRevoked{Stage: p.Stage, Approval: approval, By: m.Actor.User, Reason: reason})
	return nil
}

// Advance leaves the current stage for the next when every required task is done, every
// approval granted, every gate holds and every enforced period is kept; otherwise it refuses,
// listing every unmet condition. From the last stage, use Complete.
func (p *Process) Advance(m Meta, tpl template.Template, gates GateEvaluator) error {
	return p.AdvanceOverriding(m, tpl, gates, "")
}

// AdvanceOverriding is Advance that, given a reason, skips periods not kept and records each
// (PeriodOverridden) before the stage change.
func (p *Process) AdvanceOverriding(m Meta, tpl template.Template, gates GateEvaluator, override string) error {
	next, err := p.checkLeave(m, tpl, gates, ActAdvance)
	if err != nil {
		return err
	}
	if next == "" {
		return refuse("last_stage", "Letzte Phase: Verfahren abschließen statt weiterschalten / last stage: complete the process instead")
	}
	overrides, err := p.keepPeriods(m, tpl, p.Stage, next, "advance", override)
	if err != nil {
		return err
	}
	for _, o := range overrides {
		p.record(m, o)
	}
	p.record(m, StageCompleted{Stage: p.Stage, Next: next, By: m.Actor.User, At: m.Now})
	return nil
}

// Complete ends the process from its last stage when that stage's conditions hold.
func (p *Process) Complete(m Meta, tpl template.Template, gates GateEvaluator) error {
	return p.CompleteOverriding(m, tpl, gates, "")
}

// CompleteOverriding is Complete that, given a reason, skips periods not kept (recorded).
func (p *Process) CompleteOverriding(m Meta, tpl template.Template, gates GateEvaluator, override string) error {
	if err := p.check(m, ActComplete); err != nil {
		return err
	}
	next, err := p.checkLeave(m, tpl, gates, ActComplete)
	if err != nil {
		return err
	}
	if next != "" {
		return refuse("not_last_stage", "Das Verfahren ist noch nicht in der letzten Phase / the process is not in its last stage")
	}
	overrides, err := p.keepPeriods(m, tpl, p.Stage, "", "complete", override)
	if err != nil {
		return err
	}
	for _, o := range overrides {
		p.record(m, o)
	}
	p.record(m, ProcessCompleted{Stage: p.Stage, By: m.Actor.User, At: m.Now})
	return nil
}

// checkLeave checks everything needed to leave the current stage and returns the next stage
// ("" after the last).
func (p *Process) checkLeave(m Meta, tpl template.Template, gates GateEvaluator, act Action) (string, error) {
	if err := p.check(m, act); err != nil {
		return "", err
	}
	i := tpl.StageIndex(p.Stage)
	if i < 0 {
		return "", refuse("unknown_stage", "Phase fehlt in der Vorlage / stage missing from template: "+p.Stage)
	}
	if act == ActAdvance && !tpl.Stages[i].MayAdvance(m.Actor.Role) {
		return "", &ForbiddenError{Role: m.Actor.Role, Action: "advance from stage " + p.Stage}
	}
	if unmet := p.unmetConditions(tpl, gates, m); len(unmet) > 0 {
		return "", p.gateRefusal(tpl, gates, m, unmet)
	}
	if i+1 < len(tpl.Stages) {
		return tpl.Stages[i+1].Key, nil
	}
	return "", nil
}

// GoBack returns to an earlier stage that the current stage allows, for a reason.
func (p *Process) GoBack(m Meta, tpl template.Template, to, reason string) error {
	if err := p.check(m, ActGoBack); err != nil {
		return err
	}
	stage, _ := tpl.Stage(p.Stage)
	switch {
	case !stage.MayAdvance(m.Actor.Role):
		return &ForbiddenError{Role: m.Actor.Role, Action: "go back from stage " + p.Stage}
	case !stage.MayGoBackTo(to):
		return refuse("back_not_allowed", fmt.Sprintf("Zurück nach %q ist aus %q nicht erlaubt / going back to %q is not allowed from %q", to, p.Stage, to, p.Stage))
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	from := p.Stage
	p.record(m, StageReverted{Stage: from, To: to, Reason: reason, By: m.Actor.User, At: m.Now})
	// Approvals given before in the stage returned to were for work that is now reopened: they
	// are withdrawn, each on the record.
	target, _ := tpl.Stage(to)
	for _, a := range target.Approvals {
		if _, granted := p.Approvals[to][a.Key]; granted {
			p.record(m, ApprovalRevoked{Stage: to, Approval: a.Key, By: m.Actor.User,
				Reason: "Rückkehr aus " + from + ": " + reason + " / went back from " + from})
		}
	}
	return nil
}

// Suspend pauses the process, for a reason.
func (p *Process) Suspend(m Meta, reason string) error {
	if err := p.check(m, ActSuspend); err != nil {
		return err
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	p.record(m, ProcessSuspended{Reason: reason, By: m.Actor.User, At: m.Now})
	return nil
}

// Resume continues a suspended process.
func (p *Process) Resume(m Meta) error {
	if err := p.check(m, ActResume); err != nil {
		return err
	}
	p.record(m, ProcessResumed{By: m.Actor.User, At: m.Now})
	return nil
}

// Cancel ends the process early, for a reason.
func (p *Process) Cancel(m Meta, reason string) error {
	if err := p.check(m, ActCancel); err != nil {
		return err
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	p.record(m, ProcessCancelled{Reason: reason, By: m.Actor.User, At: m.Now})
	return nil
}

// Migrate moves the process to another version of its template. mapping renames stages whose
// key changed (old → new); the current stage must exist in the new version after mapping, and the
// gates of the new version are checked for the stages the process has already left.
func (p *Process) Migrate(m Meta, from, to template.Template, mapping map[string]string, reason string, gates GateEvaluator) error {
	return p.MigrateOverriding(m, from, to, mapping, reason, "", gates)
}

// MigrateOverriding is Migrate that, given an override reason, may move the process out of a stage
// whose enforced period is not kept (recorded as PeriodOverridden before the migration).
func (p *Process) MigrateOverriding(m Meta, from, to template.Template, mapping map[string]string, reason, override string, gates GateEvaluator) error {
	if err := p.check(m, ActMigrate); err != nil {
		return err
	}
	if err := text("reason", reason, true, maxText); err != nil {
		return err
	}
	switch {
	case to.ID != p.TemplateID:
		return invalid("template", "%q is not this process's template %q", to.ID, p.TemplateID)
	case to.Version == p.TemplateVersion:
		return invalid("version", "the process is already on version %d", to.Version)
	}
	for old, nu := range mapping {
		if from.StageIndex(old) < 0 {
			return invalid("stage_mapping", "%q is not a stage of version %d", old, from.Version)
		}
		if to.StageIndex(nu) < 0 {
			return invalid("stage_mapping", "%q is not a stage of version %d", nu, to.Version)
		}
	}
	stage := p.Stage
	if nu, ok := mapping[stage]; ok {
		stage = nu
	}
	if to.StageIndex(stage) < 0 {
		return refuse("stage_missing", fmt.Sprintf("Phase %q fehlt in Version %d: Zuordnung angeben / stage %q is missing from version %d: give a mapping", stage, to.Version, stage, to.Version))
	}
	e := ProcessMigrated{FromVersion: p.TemplateVersion, ToVersion: to.Version, TemplateHash: template.Hash(to),
		StageMapping: mapping, Stage: stage, Reason: reason, By: m.Actor.User, At: m.Now}
	var overrides []PeriodOverridden
	if stage != p.Stage {
		var err error
		if overrides, err = p.keepPeriods(m, from, p.Stage, "", "migrate", override); err != nil {
			return err
		}
	}
	after := p.Clone()
	after.Apply(Recorded{Payload: e, Version: p.Version + 1})
	e.Unmet = after.unmetConditions(to, gates, m) // the gates of the new version, re-evaluated
	for _, o := range overrides {
		p.record(m, o)
	}
	p.record(m, e)
	return nil
}

var measureStatuses = []string{"planned", "in_progress", "done", "blocked", "cancelled"}

func oneOf[V any](field, v string, set map[string]V) error {
	if _, ok := set[v]; !ok {
		return invalid(field, "%q is not one of the known values", v)
	}
	return nil
}
