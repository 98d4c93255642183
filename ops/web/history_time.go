package web

import (
	"fmt"
	"maps"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// timeMessages are the texts of the events about periods.
var timeMessages = map[string][2]string{
	"event.process.date_set":          {"Datum festgelegt", "Date set"},
	"event.process.open_data_set":     {"Offene Daten: Freigabe geändert", "Open data: publication changed"},
	"event.process.deadline_extended": {"Frist verlängert", "Period extended"},
	"event.process.period_overridden": {"Frist nicht eingehalten", "Period not kept"},
	"event.process.deadline_reached":  {"Frist abgelaufen", "Period ended"},
	"event.process.reminder_due":      {"Erinnerung an eine Frist", "Reminder of a period"},
	"event.process.escalation_due":    {"Eskalation: Frist abgelaufen, Phase nicht verlassen", "Escalation: period ended, stage not left"},
	"period.escalated":                {"Tage danach noch in der Phase", "days later still in the stage"},
	"period.late":                     {"verspätet eingegangen", "received late"},
	"period.received":                 {"eingegangen", "received"},
	"period.ended":                    {"Fristende", "period ended"},
	"period.older":                    {"zurück auf eine ältere Version", "back to an older version"},
	"period.newer":                    {"auf eine neuere Version", "to a newer version"},
	"period.approved_by":              {"genehmigt von", "approved by"},
	"period.reason":                   {"Begründung", "reason"},
	"period.action.advance":           {"weitergeschaltet", "advanced"},
	"period.action.complete":          {"abgeschlossen", "completed"},
	"period.action.migrate":           {"Vorlagenversion gewechselt", "template version changed"},
}

func init() { maps.Copy(messages, timeMessages) }

// timeDetail summarises the events about periods, late contributions and migrations (with their
// direction); ok is false for other events.
func timeDetail(p *page, tpl domain.Template, payload process.Payload) (string, bool) {
	at := func(t time.Time) string { return period.FormatInstant(t, berlin, p.Lang) }
	title := func(key string) string {
		for _, d := range tpl.Deadlines {
			if d.Key == key {
				return p.Text(d.Title)
			}
		}
		return key
	}
	switch e := payload.(type) {
	case process.ProcessMigrated:
		dir := p.T("period.newer")
		if e.ToVersion < e.FromVersion {
			dir = p.T("period.older")
		}
		return fmt.Sprintf("v%d → v%d (%s)", e.FromVersion, e.ToVersion, dir), true
	case process.ContributionRecorded:
		if e.Late == nil {
			return "", false
		}
		return fmt.Sprintf("%s: %s %s; %s „%s“ %s", p.T("period.late"), p.T("period.received"), at(e.ReceivedAt), p.T("period.ended"), title(e.Late.Deadline), at(e.Late.EndedAt)), true
	case process.DateSet:
		return e.Date + ": " + at(e.Value), true
	case process.DeadlineReached:
		return title(e.Deadline) + " · " + p.T("period.ended") + " " + at(e.EndsAt), true
	case process.ReminderDue:
		return fmt.Sprintf("%s · %s", title(e.Deadline), period.FormatEnd(e.EndsAt, berlin, p.Lang)), true
	case process.EscalationDue:
		stage := e.Stage
		if i := tpl.StageIndex(e.Stage); i >= 0 {
			stage = p.Text(tpl.Stages[i].Title)
		}
		return fmt.Sprintf("%s · %s %s · +%d %s „%s“", title(e.Deadline), p.T("period.ended"), at(e.EndsAt), e.After, p.T("period.escalated"), stage), true
	case process.DeadlineExtended:
		return fmt.Sprintf("%s +%d · %s · %s %s · %s: %s", title(e.Deadline), e.Days, period.FormatEnd(e.EndsAt, berlin, p.Lang), p.T("period.approved_by"), e.ApprovedBy, p.T("period.reason"), e.Reason), true
	case process.PeriodOverridden:
		return fmt.Sprintf("%s (%s) · %s · %s %s · %s: %s", title(e.Deadline), e.LegalBasis, p.T("period.action."+e.Action), p.T("period.ended"), at(e.EndsAt), p.T("period.reason"), e.Reason), true
	}
	return "", false
}
