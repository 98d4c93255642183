package web

import (
	"context"
	"sort"
	"strconv"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// measureStatuses are the statuses a measure's progress report may set (the domain's list).
var measureStatuses = []string{"planned", "in_progress", "done", "blocked", "cancelled"}

// recordForms adds the forms that document the work: participants, sessions, contributions,
// decisions, results and measures, each for the roles the engine lets record it.
func (d *Dashboard) recordForms(ctx context.Context, fs *formSet, a process.Actor, pr *process.Process, w *work) {
	p := fs.p
	people := d.participantOptions(ctx, pr)
	sessions := sessionOptions(pr)
	if a.Allowed(process.ActRegister) {
		w.Participants = append(w.Participants, fs.new("register_participant", "", p.T("form.register_participant"), "form.register_participant.submit",
			fs.text("name", "field.name", true), fs.text("email", "field.email", false),
			fs.choice("group", "field.group", domain.Groups, true)))
	}
	if a.Allowed(process.ActWithdraw) {
		for _, o := range people {
			w.Participants = append(w.Participants, fs.new("withdraw_participant", o.Value, p.T("form.withdraw_participant")+": "+o.Label,
				"form.withdraw_participant.submit", fs.text("reason", "field.reason", false)))
		}
	}
	if a.Allowed(process.ActSchedule) {
		date := field{Name: "date", Label: p.T("field.date"), Kind: "datetime-local", Required: true}
		online := field{Name: "online", Label: p.T("field.online"), Kind: "select", Options: []option{{"", p.T("no")}, {"yes", p.T("yes")}}}
		w.Sessions = append(w.Sessions, fs.new("schedule_session", "", p.T("form.schedule_session"), "form.schedule_session.submit",
			fs.text("title", "field.title", true), fs.choice("format", "field.format", domain.Formats, true), date,
			fs.text("place", "field.place", false), online))
	}
	if a.Allowed(process.ActHold) {
		for _, s := range sortedSessions(pr) {
			if !s.Held {
				w.Sessions = append(w.Sessions, fs.new("hold_session", s.Session, p.T("form.hold_session")+": "+s.Title, "form.hold_session.submit",
					fs.number("attendance", "field.attendance", 0, 1000000), fs.textarea("notes", "field.notes", false)))
			}
		}
	}
	if a.Allowed(process.ActContribute) {
		who := field{Name: "participant", Label: p.T("field.participant"), Kind: "select", Options: append([]option{{"", p.T("field.nobody")}}, people...)}
		at := field{Name: "session", Label: p.T("field.session"), Kind: "select", Options: append([]option{{"", p.T("field.nosession")}}, sessions...)}
		w.Contributions = append(w.Contributions, fs.new("record_contribution", "", p.T("form.record_contribution"), "form.record_contribution.submit",
			fs.text("topic", "field.topic", false), fs.textarea("text", "field.text", true), who, at))
	}
	if a.Allowed(process.ActDecide) {
		w.Decisions = append(w.Decisions, fs.new("record_decision", "", p.T("form.record_decision"), "form.record_decision.submit",
			fs.text("subject", "field.subject", true), fs.choice("model", "field.model", domain.DecisionModels, true),
			fs.textarea("outcome", "field.outcome", true)))
	}
	if a.Allowed(process.ActPublishResult) {
		w.Results = append(w.Results, fs.new("publish_result", "", p.T("form.publish_result"), "form.publish_result.submit",
			fs.text("title", "field.title", true), fs.textarea("summary", "field.summary", false), fs.text("url", "field.url", false)))
	}
	d.measureForms(fs, a, pr, w)
}

func (d *Dashboard) measureForms(fs *formSet, a process.Actor, pr *process.Process, w *work) {
	p := fs.p
	if a.Allowed(process.ActDefineMeasure) {
		due := field{Name: "due", Label: p.T("field.due"), Kind: "date"}
		w.Measures = append(w.Measures, fs.new("define_measure", "", p.T("form.define_measure"), "form.define_measure.submit",
			fs.text("title", "field.title", true), fs.text("owner", "field.owner", false), due))
	}
	if !a.Allowed(process.ActReportProgress) {
		return
	}
	for _, m := range sortedMeasures(pr) {
		progress := fs.number("progress", "field.progress", 0, 100)
		progress.Value = strconv.Itoa(m.Progress)
		status := field{Name: "status", Label: p.T("field.status"), Kind: "select", Required: true, Value: m.Status}
		for _, s := range measureStatuses {
			status.Options = append(status.Options, option{s, p.T("measure." + s)})
		}
		w.Measures = append(w.Measures, fs.new("report_progress", m.Measure, p.T("form.report_progress")+": "+m.Title, "form.report_progress.submit",
			progress, status, fs.text("note", "field.note", false)))
	}
}

// participantOptions are the active participants by name (the roles with forms see names).
func (d *Dashboard) participantOptions(ctx context.Context, pr *process.Process) []option {
	var out []option
	for id, x := range pr.Participants {
		if !x.Withdrawn {
			out = append(out, option{id, d.cfg.Engine.Reveal(ctx, x.Name)})
		}
	}
	sortOptions(out)
	return out
}

func sessionOptions(pr *process.Process) []option {
	var out []option
	for id, s := range pr.Sessions {
		out = append(out, option{id, s.Title})
	}
	sort.Slice(out, func(i, j int) bool { return pr.Sessions[out[i].Value].Date.Before(pr.Sessions[out[j].Value].Date) })
	return out
}
