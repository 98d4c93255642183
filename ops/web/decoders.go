package web

import (
	"net/url"
	"strings"

	"github.com/civicflow/civicflow/workflows/engine"
)

// decoders turn a command form into the engine command the API runs for the same name. The
// target field names what a per-row form acts on (a task, an approval, a participant …).
var decoders = map[string]func(v url.Values) (engine.Command, *fieldProblem){
	"complete_task": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.CompleteTask{Task: v.Get("target"), Evidence: v.Get("evidence")}, nil
	},
	"reopen_task": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.ReopenTask{Task: v.Get("target"), Reason: v.Get("reason")}, nil
	},
	"grant_approval": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.GrantApproval{Approval: v.Get("target"), Note: v.Get("note")}, nil
	},
	"revoke_approval": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.RevokeApproval{Approval: v.Get("target"), Reason: v.Get("reason")}, nil
	},
	"advance":  func(url.Values) (engine.Command, *fieldProblem) { return engine.Advance{}, nil },
	"complete": func(url.Values) (engine.Command, *fieldProblem) { return engine.Complete{}, nil },
	"resume":   func(url.Values) (engine.Command, *fieldProblem) { return engine.Resume{}, nil },
	"go_back": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.GoBack{To: v.Get("to"), Reason: v.Get("reason")}, nil
	},
	"register_participant": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.RegisterParticipant{Group: v.Get("group"), Name: strings.TrimSpace(v.Get("name")), Email: strings.TrimSpace(v.Get("email"))}, nil
	},
	"withdraw_participant": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.WithdrawParticipant{Participant: v.Get("target"), Reason: v.Get("reason")}, nil
	},
	"schedule_session": func(v url.Values) (engine.Command, *fieldProblem) {
		date, bad := timeField(v, "date", "2006-01-02T15:04")
		return engine.ScheduleSession{Title: v.Get("title"), Format: v.Get("format"), Date: date.UTC(), Place: v.Get("place"),
			Online: v.Get("online") == "yes"}, bad
	},
	"hold_session": func(v url.Values) (engine.Command, *fieldProblem) {
		n, bad := intField(v, "attendance")
		return engine.HoldSession{Session: v.Get("target"), Attendance: n, Notes: v.Get("notes")}, bad
	},
	"record_contribution": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.RecordContribution{Participant: v.Get("participant"), Session: v.Get("session"), Topic: v.Get("topic"), Text: v.Get("text")}, nil
	},
	"record_decision": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.RecordDecision{Subject: v.Get("subject"), Model: v.Get("model"), Outcome: v.Get("outcome")}, nil
	},
	"publish_result": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.PublishResult{Title: v.Get("title"), Summary: v.Get("summary"), URL: v.Get("url")}, nil
	},
	"define_measure": func(v url.Values) (engine.Command, *fieldProblem) {
		due, bad := timeField(v, "due", "2006-01-02")
		return engine.DefineMeasure{Title: v.Get("title"), Owner: v.Get("owner"), Due: due.UTC()}, bad
	},
	"report_progress": func(v url.Values) (engine.Command, *fieldProblem) {
		n, bad := intField(v, "progress")
		return engine.ReportProgress{Measure: v.Get("target"), Progress: n, Status: v.Get("status"), Note: v.Get("note")}, bad
	},
	"suspend": func(v url.Values) (engine.Command, *fieldProblem) {
		return engine.Suspend{Reason: v.Get("reason")}, nil
	},
	"cancel":  func(v url.Values) (engine.Command, *fieldProblem) { return engine.Cancel{Reason: v.Get("reason")}, nil },
	"migrate": decodeMigrate,
}
