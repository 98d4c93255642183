package audit

import (
	"fmt"

	"github.com/civicflow/civicflow/domain/process"
)

// Sentence is one event told in German and English.
type Sentence struct{ De, En string }

// Title is a name in both languages.
type Title struct{ De, En string }

// namer returns the title of a stage, task ("stage/task") or approval ("stage/approval") of the
// process's template version, or of one of its measures ("measure", its key); the key itself when
// the template or measure is unknown.
type namer func(kind, key string) Title

// String is the German title; say puts the English one into English sentences.
func (t Title) String() string { return t.De }

// form is how one event type is told: a German and an English format whose first argument is the
// actor, followed by the event's facts (strings, ints and Titles).
type form struct{ de, en string }

// forms are the sentences of the event types; another type is told by fallback.
var forms = map[string]form{
	process.ProcessOpened{}.Type():           {"%[1]s hat das Verfahren „%[2]s“ eröffnet (Vorlage %[3]s, Phase „%[4]s“).", "%[1]s opened the process “%[2]s” (template %[3]s, stage “%[4]s”)."},
	process.TaskCompleted{}.Type():           {"%s hat die Aufgabe „%s“ erledigt.", "%s completed the task “%s”."},
	process.TaskReopened{}.Type():            {"%s hat die Aufgabe „%s“ wieder geöffnet.", "%s reopened the task “%s”."},
	process.ApprovalGranted{}.Type():         {"%s hat die Freigabe „%s“ erteilt.", "%s granted the approval “%s”."},
	process.ApprovalRevoked{}.Type():         {"%s hat die Freigabe „%s“ zurückgezogen.", "%s revoked the approval “%s”."},
	process.StageCompleted{}.Type():          {"%s hat die Phase „%s“ abgeschlossen; weiter mit „%s“.", "%s completed the stage “%s”; next is “%s”."},
	process.StageReverted{}.Type():           {"%s ist von der Phase „%s“ zu „%s“ zurückgegangen.", "%s went back from the stage “%s” to “%s”."},
	process.ParticipantRegistered{}.Type():   {"%s hat eine Person der Gruppe „%s“ angemeldet.", "%s registered a participant of the group “%s”."},
	process.ParticipantWithdrawn{}.Type():    {"%s hat eine Anmeldung zurückgenommen.", "%s withdrew a participant."},
	process.SessionScheduled{}.Type():        {"%s hat die Veranstaltung „%s“ (%s) für den %s geplant.", "%s scheduled the session “%s” (%s) for %s."},
	process.SessionHeld{}.Type():             {"%s hat festgehalten, dass eine Veranstaltung mit %d Teilnehmenden stattfand.", "%s recorded a session held with %d attendees."},
	process.ContributionRecorded{}.Type():    {"%s hat einen Beitrag erfasst.", "%s recorded a contribution."},
	process.DecisionRecorded{}.Type():        {"%s hat die Entscheidung „%s“ festgehalten (%s): %s.", "%s recorded the decision “%s” (%s): %s."},
	process.ResultPublished{}.Type():         {"%s hat das Ergebnis „%s“ veröffentlicht.", "%s published the result “%s”."},
	process.MeasureDefined{}.Type():          {"%s hat die Maßnahme „%s“ festgelegt.", "%s defined the measure “%s”."},
	process.MeasureProgressReported{}.Type(): {"%[1]s hat für die Maßnahme „%[2]s“ einen Fortschritt von %[3]d %% gemeldet (%[4]s).", "%[1]s reported %[3]d %% progress (%[4]s) for the measure “%[2]s”."},
	process.ProcessSuspended{}.Type():        {"%s hat das Verfahren ausgesetzt: %s", "%s suspended the process: %s"},
	process.ProcessResumed{}.Type():          {"%s hat das Verfahren fortgesetzt.", "%s resumed the process."},
	process.ProcessCancelled{}.Type():        {"%s hat das Verfahren abgebrochen: %s", "%s cancelled the process: %s"},
	process.ProcessCompleted{}.Type():        {"%s hat das Verfahren abgeschlossen.", "%s completed the process."},
	process.OpenDataSet{}.Type():             {"%s hat das Verfahren %s.", "%s %s."},
	process.ProcessMigrated{}.Type():         {"%s hat das Verfahren von Vorlagenversion %d auf %d umgestellt (Phase „%s“).", "%s migrated the process from template version %d to %d (stage “%s”)."},
}

// fallback tells an event type without a form: "actor: type".
var fallback = form{"%s: %s", "%s: %s"}

// facts returns what the sentence of payload says besides the actor, in the order of its form:
// keys and titles of the process, never sealed data. An event type without a form has its type.
func facts(payload process.Payload, n namer) []any {
	if f, ok := collabFacts(payload); ok {
		return f
	}
	if f, ok := timeFacts(payload, n); ok {
		return f
	}
	switch p := payload.(type) {
	case process.ProcessOpened:
		return []any{p.Title, p.TemplateID, n("stage", p.Stage)}
	case process.TaskCompleted:
		return []any{n("task", p.Stage+"/"+p.Task)}
	case process.TaskReopened:
		return []any{n("task", p.Stage+"/"+p.Task)}
	case process.ApprovalGranted:
		return []any{n("approval", p.Stage+"/"+p.Approval)}
	case process.ApprovalRevoked:
		return []any{n("approval", p.Stage+"/"+p.Approval)}
	case process.StageCompleted:
		return []any{n("stage", p.Stage), n("stage", p.Next)}
	case process.StageReverted:
		return []any{n("stage", p.Stage), n("stage", p.To)}
	case process.ParticipantRegistered:
		return []any{p.Group}
	case process.SessionScheduled:
		return []any{p.Title, p.Format, p.Date.Format("2006-01-02")}
	case process.SessionHeld:
		return []any{p.Attendance}
	case process.DecisionRecorded:
		return []any{p.Subject, p.Model, p.Outcome}
	case process.ResultPublished:
		return []any{p.Title}
	case process.MeasureDefined:
		return []any{p.Title}
	case process.MeasureProgressReported:
		return []any{n("measure", p.Measure), p.Progress, p.Status}
	case process.ProcessSuspended:
		return []any{p.Reason}
	case process.ProcessCancelled:
		return []any{p.Reason}
	case process.ProcessMigrated:
		return []any{p.FromVersion, p.ToVersion, n("stage", p.Stage)}
	case process.OpenDataSet:
		if p.Public {
			return []any{Title{De: "für den Open-Data-Export freigegeben", En: "marked the process public for the open-data export"}}
		}
		return []any{Title{De: "aus dem Open-Data-Export genommen", En: "took the process out of the open-data export"}}
	case process.ParticipantWithdrawn, process.ContributionRecorded, process.ProcessResumed, process.ProcessCompleted:
		return nil
	}
	return []any{payload.Type()}
}

// tell renders the sentence of an event of type typ by actor with its facts.
func tell(typ, actor string, facts []any) Sentence {
	f, ok := forms[variant(typ, facts)]
	if !ok {
		f = fallback
	}
	de := make([]any, 0, 1+len(facts))
	en := make([]any, 0, 1+len(facts))
	de, en = append(de, actor), append(en, actor)
	for _, a := range facts {
		de = append(de, a)
		if t, ok := a.(Title); ok {
			a = t.En
		}
		en = append(en, a)
	}
	return Sentence{De: fmt.Sprintf(f.de, de...), En: fmt.Sprintf(f.en, en...)}
}

// sentence tells what actor did. It uses keys and titles of the process, never sealed data.
func sentence(actor string, payload process.Payload, n namer) Sentence {
	return tell(payload.Type(), actor, facts(payload, n))
}
