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
// process's template version; the key itself when the template is unknown.
type namer func(kind, key string) Title

// String is the German title; say puts the English one into English sentences.
func (t Title) String() string { return t.De }

func say(de, en string, args ...any) Sentence {
	enArgs := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Title); ok {
			a = t.En
		}
		enArgs[i] = a
	}
	return Sentence{De: fmt.Sprintf(de, args...), En: fmt.Sprintf(en, enArgs...)}
}

// sentence tells what actor did. It uses keys and titles of the process, never sealed data.
func sentence(actor string, payload process.Payload, n namer) Sentence {
	switch p := payload.(type) {
	case process.ProcessOpened:
		return say("%[1]s hat das Verfahren „%[2]s“ eröffnet (Vorlage %[3]s, Phase „%[4]s“).", "%[1]s opened the process “%[2]s” (template %[3]s, stage “%[4]s”).", actor, p.Title, p.TemplateID, n("stage", p.Stage))
	case process.TaskCompleted:
		return say("%s hat die Aufgabe „%s“ erledigt.", "%s completed the task “%s”.", actor, n("task", p.Stage+"/"+p.Task))
	case process.TaskReopened:
		return say("%s hat die Aufgabe „%s“ wieder geöffnet.", "%s reopened the task “%s”.", actor, n("task", p.Stage+"/"+p.Task))
	case process.ApprovalGranted:
		return say("%s hat die Freigabe „%s“ erteilt.", "%s granted the approval “%s”.", actor, n("approval", p.Stage+"/"+p.Approval))
	case process.ApprovalRevoked:
		return say("%s hat die Freigabe „%s“ zurückgezogen.", "%s revoked the approval “%s”.", actor, n("approval", p.Stage+"/"+p.Approval))
	case process.StageCompleted:
		return say("%s hat die Phase „%s“ abgeschlossen; weiter mit „%s“.", "%s completed the stage “%s”; next is “%s”.", actor, n("stage", p.Stage), n("stage", p.Next))
	case process.StageReverted:
		return say("%s ist von der Phase „%s“ zu „%s“ zurückgegangen.", "%s went back from the stage “%s” to “%s”.", actor, n("stage", p.Stage), n("stage", p.To))
	case process.ParticipantRegistered:
		return say("%s hat eine Person der Gruppe „%s“ angemeldet.", "%s registered a participant of the group “%s”.", actor, p.Group)
	case process.ParticipantWithdrawn:
		return say("%s hat eine Anmeldung zurückgenommen.", "%s withdrew a participant.", actor)
	case process.SessionScheduled:
		return say("%s hat die Veranstaltung „%s“ (%s) für den %s geplant.", "%s scheduled the session “%s” (%s) for %s.", actor, p.Title, p.Format, p.Date.Format("2006-01-02"))
	case process.SessionHeld:
		return say("%s hat festgehalten, dass eine Veranstaltung mit %d Teilnehmenden stattfand.", "%s recorded a session held with %d attendees.", actor, p.Attendance)
	case process.ContributionRecorded:
		return say("%s hat einen Beitrag erfasst.", "%s recorded a contribution.", actor)
	case process.DecisionRecorded:
		return say("%s hat die Entscheidung „%s“ festgehalten (%s): %s.", "%s recorded the decision “%s” (%s): %s.", actor, p.Subject, p.Model, p.Outcome)
	case process.ResultPublished:
		return say("%s hat das Ergebnis „%s“ veröffentlicht.", "%s published the result “%s”.", actor, p.Title)
	case process.MeasureDefined:
		return say("%s hat die Maßnahme „%s“ festgelegt.", "%s defined the measure “%s”.", actor, p.Title)
	case process.MeasureProgressReported:
		return say("%[1]s hat für die Maßnahme %[2]s einen Fortschritt von %[3]d %% gemeldet (%[4]s).", "%[1]s reported %[3]d %% progress (%[4]s) for the measure %[2]s.", actor, p.Measure, p.Progress, p.Status)
	case process.ProcessSuspended:
		return say("%s hat das Verfahren ausgesetzt: %s", "%s suspended the process: %s", actor, p.Reason)
	case process.ProcessResumed:
		return say("%s hat das Verfahren fortgesetzt.", "%s resumed the process.", actor)
	case process.ProcessCancelled:
		return say("%s hat das Verfahren abgebrochen: %s", "%s cancelled the process: %s", actor, p.Reason)
	case process.ProcessCompleted:
		return say("%s hat das Verfahren abgeschlossen.", "%s completed the process.", actor)
	case process.ProcessMigrated:
		return say("%s hat das Verfahren von Vorlagenversion %d auf %d umgestellt (Phase „%s“).", "%s migrated the process from template version %d to %d (stage “%s”).", actor, p.FromVersion, p.ToVersion, n("stage", p.Stage))
	}
	return say("%s: %s", "%s: %s", actor, payload.Type())
}
