package audit

import (
	"bytes"
	"maps"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
)

// Forms of the events about time, and variants of other events' forms (see variant).
var timeForms = map[string]form{
	process.DateSet{}.Type(): {"%s hat das Datum „%s“ festgelegt: %s.", "%s set the date “%s”: %s."},
	process.DeadlineExtended{}.Type(): {"%[1]s hat die Frist „%[2]s“ um %[3]d Tage verlängert, genehmigt von %[4]s: %[5]s. Fristende jetzt: %[6]s.",
		"%[1]s extended the period “%[2]s” by %[3]d days, approved by %[4]s: %[5]s. The period now ends: %[6]s."},
	process.PeriodOverridden{}.Type(): {"%[1]s hat die Frist „%[2]s“ (%[3]s) nicht eingehalten – %[4]s in der Phase „%[5]s“ vor dem Fristende %[6]s. Begründung: %[7]s",
		"%[1]s did not keep the period “%[2]s” (%[3]s) – %[4]s in the stage “%[5]s” before the period ended %[6]s. Reason: %[7]s"},
	process.DeadlineReached{}.Type(): {"%s: Die Frist „%s“ ist abgelaufen (Fristende %s).", "%s: the period “%s” has ended (%s)."},
	process.ReminderDue{}.Type():     {"%s: Erinnerung – die Frist „%s“ endet in %d Tagen, %s.", "%s: reminder – the period “%s” ends in %d days, %s."},
	process.EscalationDue{}.Type(): {"%s: Eskalation – die Frist „%s“ ist seit %d Tagen abgelaufen (Fristende %s), das Verfahren ist noch in der Phase „%s“.",
		"%s: escalation – the period “%s” ended %d days ago (%s) and the process is still in the stage “%s”."},
	process.ContributionRecorded{}.Type() + "#late": {"%[1]s hat einen verspäteten Beitrag erfasst: eingegangen %[2]s, nach dem Ende der Frist „%[3]s“ %[4]s.",
		"%[1]s recorded a late contribution: received %[2]s, after the period “%[3]s” ended %[4]s."},
	process.ProcessMigrated{}.Type() + "#back": {"%s hat das Verfahren von Vorlagenversion %d zurück auf die ältere Version %d umgestellt (Phase „%s“).",
		"%s migrated the process from template version %d back to the older version %d (stage “%s”)."},
}

func init() { maps.Copy(forms, timeForms) }

// variant is the form key of an event told by its facts: a late contribution, a migration to an
// older template version.
func variant(typ string, facts []any) string {
	switch {
	case typ == process.ContributionRecorded{}.Type() && len(facts) > 0:
		return typ + "#late"
	case typ == process.ProcessMigrated{}.Type() && len(facts) == 3:
		from, _ := facts[0].(int)
		to, _ := facts[1].(int)
		if to < from {
			return typ + "#back"
		}
	}
	return typ
}

// plain reports whether an event's sentence uses no field of its payload, so that it need not be
// decoded: a contribution does only when it is late.
func plain(e eventstore.Event) bool {
	_, ok := withoutFields[e.Type]
	return ok && !(e.Type == process.ContributionRecorded{}.Type() && bytes.Contains(e.Data, []byte(`"late":`)))
}

// berlin is the zone instants are told in.
var berlin, _ = time.LoadLocation(period.DefaultZone)

// instant tells an instant as a title: "15.01.2027, 24:00 Uhr" / "15 Jan 2027, 24:00".
func instant(t time.Time) Title {
	if t.IsZero() {
		return Title{De: "(nicht begonnen)", En: "(not started)"}
	}
	return Title{De: period.FormatInstant(t, berlin, "de"), En: period.FormatInstant(t, berlin, "en")}
}

// actions tells what skipped a period.
var actions = map[string]Title{
	"advance":  {De: "weitergeschaltet", En: "advanced"},
	"complete": {De: "abgeschlossen", En: "completed"},
	"migrate":  {De: "auf eine andere Vorlagenversion umgestellt", En: "migrated to another template version"},
}

// timeFacts returns the facts of the events about time and of late contributions.
func timeFacts(payload process.Payload, n namer) ([]any, bool) {
	switch p := payload.(type) {
	case process.DateSet:
		return []any{p.Date, instant(p.Value)}, true
	case process.DeadlineReached:
		return []any{p.Deadline, instant(p.EndsAt)}, true
	case process.ReminderDue:
		return []any{p.Deadline, p.Before, instant(p.EndsAt)}, true
	case process.EscalationDue:
		return []any{p.Deadline, p.After, instant(p.EndsAt), n("stage", p.Stage)}, true
	case process.DeadlineExtended:
		return []any{p.Deadline, p.Days, p.ApprovedBy, p.Reason, instant(p.EndsAt)}, true
	case process.PeriodOverridden:
		return []any{p.Deadline, p.LegalBasis, actions[p.Action], n("stage", p.Stage), instant(p.EndsAt), p.Reason}, true
	case process.ContributionRecorded:
		if p.Late == nil {
			return nil, true
		}
		received := p.ReceivedAt
		if received.IsZero() {
			received = p.At
		}
		return []any{instant(received), p.Late.Deadline, instant(p.Late.EndedAt)}, true
	}
	return nil, false
}
