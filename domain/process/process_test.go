package process_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// fixedGates answers gate expressions from a table (the real CEL evaluator lives in workflows).
type fixedGates map[string]bool

func (g fixedGates) Evaluate(expr string, _ process.GateFacts) (bool, error) { return g[expr], nil }

var tpl = template.Template{
	ID: "test", Version: 1, Title: template.Text{De: "Test", En: "Test"},
	Stages: []template.Stage{
		{Key: "tender", Title: template.Text{De: "Ausschreibung", En: "Tender"},
			Tasks:     []template.Task{{Key: "publish_call", Title: template.Text{De: "Aufruf", En: "Call"}, Required: true}, {Key: "optional", Title: template.Text{De: "Optional", En: "Optional"}}},
			Approvals: []template.Approval{{Key: "department_head", Title: template.Text{De: "Amtsleitung", En: "Head"}}},
			Gates:     []template.Gate{{Key: "open", Title: template.Text{De: "Offen", En: "Open"}, Expr: "open"}}},
		{Key: "execution", Title: template.Text{De: "Durchführung", En: "Execution"}, BackTo: []string{"tender"},
			Gates: []template.Gate{{Key: "closed", Title: template.Text{De: "Zu", En: "Closed"}, Expr: "closed"}}},
	},
}

var (
	now     = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	lead    = process.Actor{User: "anna", Tenant: "leipzig", Role: "lead"}
	admin   = process.Actor{User: "ines", Tenant: "leipzig", Role: "administrator"}
	member  = process.Actor{User: "ben", Tenant: "leipzig", Role: "member"}
	auditor = process.Actor{User: "clara", Tenant: "leipzig", Role: "auditor"}
	viewer  = process.Actor{User: "dora", Tenant: "leipzig", Role: "viewer"}
	other   = process.Actor{User: "emil", Tenant: "menden", Role: "administrator"}
	global  = process.Actor{User: "root", Role: "administrator", Installation: true}
	sealed  = process.Sealed{Person: "p1", Ciphertext: "Y2lwaGVy"}
	gates   = fixedGates{"open": true, "closed": false}
)

func m(a process.Actor) process.Meta {
	return process.Meta{Actor: a, CommandID: uuid.NewString(), Now: now}
}

// opened returns a fresh process, opened by the lead.
func opened(t *testing.T) *process.Process {
	t.Helper()
	p, err := process.Open(m(lead), process.OpenInput{ID: uuid.New(), Title: "Spielplatz Lindenau"}, tpl, false)
	if err != nil {
		t.Fatal(err)
	}
	p.ClearPending()
	return p
}

// ready is an opened process whose tender stage may be left.
func ready(t *testing.T) *process.Process {
	p := opened(t)
	must(t, p.CompleteTask(m(member), tpl, "publish_call", "Amtsblatt 12/2025"))
	must(t, p.GrantApproval(m(admin), tpl, "department_head", ""))
	p.ClearPending()
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCommands(t *testing.T) {
	type want struct {
		err   error  // sentinel the error must match; nil: success
		rule  string // RefusedError.Rule or InvalidError.Field
		event string // the event type recorded on success
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) *process.Process
		run   func(p *process.Process) error
		want  want
	}{
		{"completes_a_task", opened, func(p *process.Process) error { return p.CompleteTask(m(member), tpl, "publish_call", "Amtsblatt") }, want{event: "process.task_completed"}},
		{"refuses_a_task_of_another_stage", opened, func(p *process.Process) error { return p.CompleteTask(m(member), tpl, "nope", "x") }, want{process.ErrInvalid, "task", ""}},
		{"refuses_a_task_without_evidence", opened, func(p *process.Process) error { return p.CompleteTask(m(member), tpl, "publish_call", " ") }, want{process.ErrInvalid, "evidence", ""}},
		{"refuses_a_task_done_twice", ready, func(p *process.Process) error { return p.CompleteTask(m(member), tpl, "publish_call", "x") }, want{process.ErrRefused, "task_done", ""}},
		{"refuses_a_task_by_an_auditor", opened, func(p *process.Process) error { return p.CompleteTask(m(auditor), tpl, "publish_call", "x") }, want{process.ErrForbidden, "", ""}},
		{"refuses_a_task_by_a_viewer", opened, func(p *process.Process) error { return p.CompleteTask(m(viewer), tpl, "publish_call", "x") }, want{process.ErrForbidden, "", ""}},
		{"hides_the_process_from_another_tenant", opened, func(p *process.Process) error { return p.CompleteTask(m(other), tpl, "publish_call", "x") }, want{process.ErrNotFound, "", ""}},
		{"lets_an_installation_administrator_act", opened, func(p *process.Process) error { return p.CompleteTask(m(global), tpl, "publish_call", "x") }, want{event: "process.task_completed"}},
		{"reopens_a_task", ready, func(p *process.Process) error { return p.ReopenTask(m(member), "publish_call", "falsches Datum") }, want{event: "process.task_reopened"}},
		{"refuses_to_reopen_without_reason", ready, func(p *process.Process) error { return p.ReopenTask(m(member), "publish_call", "") }, want{process.ErrInvalid, "reason", ""}},
		{"refuses_to_reopen_an_open_task", opened, func(p *process.Process) error { return p.ReopenTask(m(member), "publish_call", "x") }, want{process.ErrRefused, "task_not_done", ""}},
		{"grants_an_approval", opened, func(p *process.Process) error { return p.GrantApproval(m(admin), tpl, "department_head", "ok") }, want{event: "process.approval_granted"}},
		{"refuses_an_approval_by_a_member", opened, func(p *process.Process) error { return p.GrantApproval(m(member), tpl, "department_head", "") }, want{process.ErrForbidden, "", ""}},
		{"refuses_an_approval_by_the_lead_four_eyes", opened, func(p *process.Process) error {
			return p.GrantApproval(m(process.Actor{User: "anna", Tenant: "leipzig", Role: "administrator"}), tpl, "department_head", "")
		}, want{process.ErrRefused, "four_eyes", ""}},
		{"refuses_an_unknown_approval", opened, func(p *process.Process) error { return p.GrantApproval(m(admin), tpl, "mayor", "") }, want{process.ErrInvalid, "approval", ""}},
		{"revokes_an_approval", ready, func(p *process.Process) error { return p.RevokeApproval(m(admin), tpl, "department_head", "Kosten") }, want{event: "process.approval_revoked"}},
		{"advances_when_every_condition_holds", ready, func(p *process.Process) error { return p.Advance(m(lead), tpl, gates) }, want{event: "process.stage_completed"}},
		{"refuses_to_advance_listing_every_unmet_condition", opened, func(p *process.Process) error { return p.Advance(m(lead), tpl, gates) }, want{process.ErrRefused, "gates_not_met", ""}},
		{"refuses_to_advance_for_a_member", ready, func(p *process.Process) error { return p.Advance(m(member), tpl, gates) }, want{process.ErrForbidden, "", ""}},
		{"refuses_to_advance_past_the_last_stage", func(t *testing.T) *process.Process {
			p := ready(t)
			must(t, p.Advance(m(lead), tpl, fixedGates{"open": true, "closed": true}))
			return p
		}, func(p *process.Process) error { return p.Advance(m(lead), tpl, fixedGates{"closed": true}) }, want{process.ErrRefused, "last_stage", ""}},
		{"goes_back_where_allowed", func(t *testing.T) *process.Process {
			p := ready(t)
			must(t, p.Advance(m(lead), tpl, gates))
			return p
		}, func(p *process.Process) error { return p.GoBack(m(lead), tpl, "tender", "Aufruf wiederholen") }, want{event: "process.stage_reverted"}},
		{"refuses_to_go_back_without_reason", func(t *testing.T) *process.Process {
			p := ready(t)
			must(t, p.Advance(m(lead), tpl, gates))
			return p
		}, func(p *process.Process) error { return p.GoBack(m(lead), tpl, "tender", "") }, want{process.ErrInvalid, "reason", ""}},
		{"refuses_to_go_back_where_not_allowed", opened, func(p *process.Process) error { return p.GoBack(m(lead), tpl, "tender", "x") }, want{process.ErrRefused, "back_not_allowed", ""}},
		{"registers_a_participant", opened, func(p *process.Process) error {
			return p.RegisterParticipant(m(member), process.RegisterInput{Participant: "x1", Person: "p1", Group: "citizens", Name: sealed})
		}, want{event: "process.participant_registered"}},
		{"refuses_an_unknown_group", opened, func(p *process.Process) error {
			return p.RegisterParticipant(m(member), process.RegisterInput{Participant: "x1", Person: "p1", Group: "aliens", Name: sealed})
		}, want{process.ErrInvalid, "group", ""}},
		{"refuses_a_participant_without_name", opened, func(p *process.Process) error {
			return p.RegisterParticipant(m(member), process.RegisterInput{Participant: "x1", Person: "p1", Group: "citizens"})
		}, want{process.ErrInvalid, "name", ""}},
		{"withdraws_a_participant", withParticipant, func(p *process.Process) error { return p.WithdrawParticipant(m(member), "x1", "umgezogen") }, want{event: "process.participant_withdrawn"}},
		{"refuses_to_withdraw_an_unknown_participant", opened, func(p *process.Process) error { return p.WithdrawParticipant(m(member), "x9", "") }, want{process.ErrInvalid, "participant", ""}},
		{"schedules_a_session", opened, func(p *process.Process) error {
			return p.ScheduleSession(m(member), process.SessionScheduled{Session: "s1", Title: "Werkstatt", Format: "workshop", Date: now, Place: "Rathaus"})
		}, want{event: "process.session_scheduled"}},
		{"refuses_a_session_in_an_unknown_format", opened, func(p *process.Process) error {
			return p.ScheduleSession(m(member), process.SessionScheduled{Session: "s1", Title: "x", Format: "party", Date: now, Place: "x"})
		}, want{process.ErrInvalid, "format", ""}},
		{"refuses_a_session_without_place_offline", opened, func(p *process.Process) error {
			return p.ScheduleSession(m(member), process.SessionScheduled{Session: "s1", Title: "x", Format: "workshop", Date: now})
		}, want{process.ErrInvalid, "place", ""}},
		{"holds_a_session", withSession, func(p *process.Process) error { return p.HoldSession(m(member), "s1", 12, "") }, want{event: "process.session_held"}},
		{"refuses_negative_attendance", withSession, func(p *process.Process) error { return p.HoldSession(m(member), "s1", -1, "") }, want{process.ErrInvalid, "attendance", ""}},
		{"records_an_anonymous_contribution", opened, func(p *process.Process) error {
			return p.RecordContribution(m(member), process.ContributionRecorded{Contribution: "c1", PlainText: "Mehr Bänke"})
		}, want{event: "process.contribution_recorded"}},
		{"refuses_a_plain_contribution_of_a_participant", withParticipant, func(p *process.Process) error {
			return p.RecordContribution(m(member), process.ContributionRecorded{Contribution: "c1", Participant: "x1", PlainText: "Mehr Bänke"})
		}, want{process.ErrInvalid, "text", ""}},
		{"records_a_decision", opened, func(p *process.Process) error {
			return p.RecordDecision(m(lead), process.DecisionRecorded{Decision: "d1", Subject: "Standort", Model: "majority", Outcome: "Nord"})
		}, want{event: "process.decision_recorded"}},
		{"refuses_an_unknown_decision_model", opened, func(p *process.Process) error {
			return p.RecordDecision(m(lead), process.DecisionRecorded{Decision: "d1", Subject: "x", Model: "dice", Outcome: "x"})
		}, want{process.ErrInvalid, "model", ""}},
		{"refuses_a_decision_by_a_member", opened, func(p *process.Process) error {
			return p.RecordDecision(m(member), process.DecisionRecorded{Decision: "d1", Subject: "x", Model: "majority", Outcome: "x"})
		}, want{process.ErrForbidden, "", ""}},
		{"publishes_a_result", opened, func(p *process.Process) error {
			return p.PublishResult(m(lead), process.ResultPublished{Result: "r1", Title: "Dokumentation"})
		}, want{event: "process.result_published"}},
		{"defines_a_measure", opened, func(p *process.Process) error {
			return p.DefineMeasure(m(lead), process.MeasureDefined{Measure: "m1", Title: "Bänke aufstellen"})
		}, want{event: "process.measure_defined"}},
		{"reports_progress", withMeasure, func(p *process.Process) error {
			return p.ReportProgress(m(member), process.MeasureProgressReported{Measure: "m1", Progress: 40, Status: "in_progress"})
		}, want{event: "process.measure_progress_reported"}},
		{"refuses_progress_over_100", withMeasure, func(p *process.Process) error {
			return p.ReportProgress(m(member), process.MeasureProgressReported{Measure: "m1", Progress: 140, Status: "in_progress"})
		}, want{process.ErrInvalid, "progress", ""}},
		{"refuses_an_unknown_status", withMeasure, func(p *process.Process) error {
			return p.ReportProgress(m(member), process.MeasureProgressReported{Measure: "m1", Progress: 40, Status: "soon"})
		}, want{process.ErrInvalid, "status", ""}},
		{"suspends", opened, func(p *process.Process) error { return p.Suspend(m(lead), "Haushaltssperre") }, want{event: "process.suspended"}},
		{"refuses_to_suspend_without_reason", opened, func(p *process.Process) error { return p.Suspend(m(lead), "") }, want{process.ErrInvalid, "reason", ""}},
		{"refuses_work_while_suspended", suspended, func(p *process.Process) error { return p.CompleteTask(m(member), tpl, "publish_call", "x") }, want{process.ErrRefused, "suspended", ""}},
		{"resumes", suspended, func(p *process.Process) error { return p.Resume(m(lead)) }, want{event: "process.resumed"}},
		{"refuses_to_resume_an_active_process", opened, func(p *process.Process) error { return p.Resume(m(lead)) }, want{process.ErrRefused, "not_suspended", ""}},
		{"cancels", opened, func(p *process.Process) error { return p.Cancel(m(lead), "Projekt gestoppt") }, want{event: "process.cancelled"}},
		{"refuses_work_after_cancelling", func(t *testing.T) *process.Process {
			p := opened(t)
			must(t, p.Cancel(m(lead), "x"))
			return p
		}, func(p *process.Process) error { return p.Suspend(m(lead), "x") }, want{process.ErrRefused, "closed", ""}},
		{"refuses_to_complete_before_the_last_stage", ready, func(p *process.Process) error { return p.Complete(m(lead), tpl, gates) }, want{process.ErrRefused, "not_last_stage", ""}},
		{"completes_from_the_last_stage", func(t *testing.T) *process.Process {
			p := ready(t)
			must(t, p.Advance(m(lead), tpl, gates))
			return p
		}, func(p *process.Process) error { return p.Complete(m(lead), tpl, fixedGates{"closed": true}) }, want{event: "process.completed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.setup(t)
			p.ClearPending()
			before := p.Version
			err := tc.run(p)
			if tc.want.err == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if ev := p.Pending(); len(ev) == 0 || ev[0].Type() != tc.want.event || p.Version != before+int64(len(ev)) {
					t.Fatalf("recorded %v, want %s first", ev, tc.want.event)
				}
				return
			}
			if !errors.Is(err, tc.want.err) {
				t.Fatalf("err %v, want %v", err, tc.want.err)
			}
			var re *process.RefusedError
			var ie *process.InvalidError
			switch {
			case errors.As(err, &re) && re.Rule != tc.want.rule:
				t.Fatalf("refused by rule %q, want %q", re.Rule, tc.want.rule)
			case errors.As(err, &ie) && ie.Field != tc.want.rule:
				t.Fatalf("invalid field %q, want %q", ie.Field, tc.want.rule)
			}
			if len(p.Pending()) != 0 || p.Version != before {
				t.Fatalf("a refused command recorded %d events", len(p.Pending()))
			}
		})
	}
}

func withParticipant(t *testing.T) *process.Process {
	p := opened(t)
	must(t, p.RegisterParticipant(m(member), process.RegisterInput{Participant: "x1", Person: "p1", Group: "citizens", Name: sealed}))
	return p
}

func withSession(t *testing.T) *process.Process {
	p := opened(t)
	must(t, p.ScheduleSession(m(member), process.SessionScheduled{Session: "s1", Title: "Werkstatt", Format: "workshop", Date: now, Place: "Rathaus"}))
	return p
}

func withMeasure(t *testing.T) *process.Process {
	p := opened(t)
	must(t, p.DefineMeasure(m(lead), process.MeasureDefined{Measure: "m1", Title: "Bänke"}))
	return p
}

func suspended(t *testing.T) *process.Process {
	p := opened(t)
	must(t, p.Suspend(m(lead), "Haushaltssperre"))
	return p
}

func TestAdvance_lists_every_unmet_condition(t *testing.T) {
	p := opened(t)
	err := p.Advance(m(lead), tpl, fixedGates{})
	var re *process.RefusedError
	if !errors.As(err, &re) || len(re.Reasons) != 3 {
		t.Fatalf("err %v, want three reasons: the open task, the missing approval and the gate", err)
	}
}

func TestOpen_refuses(t *testing.T) {
	cases := []struct {
		name    string
		actor   process.Actor
		in      process.OpenInput
		tpl     template.Template
		retired bool
		want    error
	}{
		{"a_member", member, process.OpenInput{ID: uuid.New(), Title: "x"}, tpl, false, process.ErrForbidden},
		{"an_empty_title", lead, process.OpenInput{ID: uuid.New(), Title: ""}, tpl, false, process.ErrInvalid},
		{"an_unpublished_template", lead, process.OpenInput{ID: uuid.New(), Title: "x"}, template.Template{ID: "x"}, false, process.ErrInvalid},
		{"a_retired_template", lead, process.OpenInput{ID: uuid.New(), Title: "x"}, tpl, true, process.ErrRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := process.Open(m(tc.actor), tc.in, tc.tpl, tc.retired); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestGoBack_withdraws_the_approvals_of_the_stage_returned_to(t *testing.T) {
	p := ready(t)
	must(t, p.Advance(m(lead), tpl, gates))
	p.ClearPending()
	must(t, p.GoBack(m(lead), tpl, "tender", "Aufruf fehlerhaft"))
	ev := p.Pending()
	if len(ev) != 2 || ev[0].Type() != "process.stage_reverted" || ev[1].Type() != "process.approval_revoked" {
		t.Fatalf("recorded %v, want the reversion and the withdrawn approval", ev)
	}
	if _, granted := p.Approvals["tender"]["department_head"]; granted || p.Stage != "tender" {
		t.Fatalf("stage %s, approvals %v", p.Stage, p.Approvals)
	}
}
