package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Languages: German is the default, English is selectable with ?lang=en (kept in a cookie).
const (
	langDE     = "de"
	langEN     = "en"
	langCookie = "civicflow_lang"
)

// lang picks the language of a request: ?lang= first (remembered in a cookie), then the cookie,
// then German.
func lang(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q == langDE || q == langEN {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overTLS(r)})
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langDE || c.Value == langEN) {
		return c.Value
	}
	return langDE
}

// messages holds every user-facing string in German and English; a test checks that every key a
// template uses exists in both.
var messages = map[string][2]string{
	"app.name":                   {"civicflow", "civicflow"},
	"app.tagline":                {"Beteiligungsverfahren im Überblick", "Participation processes at a glance"},
	"nav.label":                  {"Hauptnavigation", "Main navigation"},
	"nav.overview":               {"Übersicht", "Overview"},
	"nav.measures":               {"Umsetzung", "Implementation"},
	"nav.skip":                   {"Zum Inhalt springen", "Skip to content"},
	"lang.switch":                {"English", "Deutsch"},
	"lang.switch.label":          {"Switch to English", "Auf Deutsch umschalten"},
	"signin.title":               {"Anmelden", "Sign in"},
	"signin.intro":               {"Melden Sie sich mit Ihrem Zugangstoken an. Die Sitzung gilt 8 Stunden.", "Sign in with your access token. The session lasts 8 hours."},
	"signin.token":               {"Token", "Token"},
	"signin.hint":                {"Beginnt mit „cf_“; Sie erhalten es von Ihrer Verwaltung.", "Starts with “cf_”; your administration gives it to you."},
	"signin.submit":              {"Anmelden", "Sign in"},
	"signin.failed":              {"Das Token ist ungültig oder widerrufen.", "The token is invalid or revoked."},
	"signin.throttled":           {"Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es später erneut.", "Too many failed sign-in attempts. Please try again later."},
	"signout.submit":             {"Abmelden", "Sign out"},
	"signedin.as":                {"Angemeldet als", "Signed in as"},
	"overview.title":             {"Verfahren", "Processes"},
	"activity.title":             {"Aktivität", "Activity"},
	"activity.caption":           {"Was zuletzt in den Verfahren Ihres Mandanten getan wurde, neueste zuerst", "What was done last in your tenant's processes, newest first"},
	"activity.open":              {"Verfahren öffnen", "Open the process"},
	"activity.none":              {"Noch keine Aktivität.", "No activity yet."},
	"nav.activity":               {"Aktivität", "Activity"},
	"participation.title":        {"Beteiligung", "Participation"},
	"participation.groups":       {"Aktive Beteiligte je Gruppe", "Active participants per group"},
	"participation.sessions":     {"Veranstaltungen je Format", "Sessions per format"},
	"participation.perday":       {"Beiträge je Tag", "Contributions per day"},
	"participation.perday.desc":  {"Balkendiagramm: Beiträge je Tag (die letzten 30 Tage mit Beiträgen); die Zahlen stehen auch in der Tabelle darunter.", "Bar chart: contributions per day (the last 30 days with any); the numbers are also in the table below."},
	"participation.none":         {"Noch keine Beteiligung.", "No participation yet."},
	"col.scheduled":              {"Geplant", "Scheduled"},
	"col.day":                    {"Tag", "Day"},
	"provenance":                 {"Zahlen berechnet bis Ereignis %s des Protokolls", "Figures computed up to event %s of the log"},
	"col.participants":           {"Beteiligte", "Participants"},
	"col.sessions":               {"Termine durchgeführt", "Sessions held"},
	"col.contributions":          {"Beiträge", "Contributions"},
	"col.measures":               {"Maßnahmen", "Measures"},
	"col.completed":              {"Abgeschlossen", "Completed"},
	"col.due":                    {"Fällig", "Due"},
	"overview.caption":           {"Verfahren Ihres Mandanten mit Phase, Status und Tagen in der Phase", "Processes of your tenant with stage, status and days in stage"},
	"overview.none":              {"Keine Verfahren.", "No processes."},
	"overview.bystage":           {"Verfahren je Phase", "Processes per stage"},
	"overview.bystage.desc":      {"Balkendiagramm: Anzahl der Verfahren in jeder Phase; die Zahlen stehen auch in der Tabelle darunter.", "Bar chart: number of processes in each stage; the numbers are also in the table below."},
	"overview.templates":         {"Statistik je Vorlage", "Statistics per template"},
	"col.title":                  {"Titel", "Title"},
	"col.tenant":                 {"Mandant", "Tenant"},
	"col.template":               {"Vorlage", "Template"},
	"col.stage":                  {"Phase", "Stage"},
	"col.status":                 {"Status", "Status"},
	"col.days":                   {"Tage in Phase", "Days in stage"},
	"col.stagedays":              {"Tage", "Days"},
	"col.target":                 {"Soll (Tage)", "Target (days)"},
	"col.count":                  {"Anzahl", "Count"},
	"col.entered":                {"Begonnen", "Entered"},
	"col.left":                   {"Beendet", "Left"},
	"col.task":                   {"Aufgabe", "Task"},
	"col.required":               {"Pflicht", "Required"},
	"col.done":                   {"Erledigt", "Done"},
	"col.evidence":               {"Nachweis", "Evidence"},
	"col.by":                     {"Durch", "By"},
	"col.approval":               {"Freigabe", "Approval"},
	"col.granted":                {"Erteilt", "Granted"},
	"col.session":                {"Veranstaltung", "Session"},
	"col.format":                 {"Format", "Format"},
	"col.date":                   {"Datum", "Date"},
	"col.held":                   {"Durchgeführt", "Held"},
	"col.attendance":             {"Teilnehmende", "Attendance"},
	"col.subject":                {"Gegenstand", "Subject"},
	"col.model":                  {"Entscheidungsverfahren", "Decision model"},
	"col.outcome":                {"Ergebnis", "Outcome"},
	"col.result":                 {"Ergebnis", "Result"},
	"col.summary":                {"Zusammenfassung", "Summary"},
	"col.measure":                {"Maßnahme", "Measure"},
	"col.owner":                  {"Verantwortlich", "Owner"},
	"col.progress":               {"Fortschritt", "Progress"},
	"col.process":                {"Verfahren", "Process"},
	"col.when":                   {"Wann", "When"},
	"col.who":                    {"Wer", "Who"},
	"col.what":                   {"Was", "What"},
	"col.detail":                 {"Einzelheiten", "Details"},
	"col.group":                  {"Akteursgruppe", "Stakeholder group"},
	"col.name":                   {"Name", "Name"},
	"col.median":                 {"Median (Tage)", "Median (days)"},
	"col.p90":                    {"90. Perzentil (Tage)", "90th percentile (days)"},
	"col.visits":                 {"Abgeschlossene Aufenthalte", "Finished stays"},
	"yes":                        {"ja", "yes"},
	"no":                         {"nein", "no"},
	"overdue":                    {"überfällig", "overdue"},
	"hidden":                     {"verborgen", "hidden"},
	"none":                       {"Keine Einträge.", "None."},
	"process.template":           {"Vorlage", "Template"},
	"process.programme":          {"Programm", "Programme"},
	"process.opened":             {"Eröffnet", "Opened"},
	"process.lead":               {"Projektleitung", "Project lead"},
	"process.timeline":           {"Phasenverlauf", "Stage timeline"},
	"process.timeline.desc":      {"Die Phasen der Vorlage in ihrer Reihenfolge; erledigte, aktuelle und kommende Phasen mit Tagen je Phase. Die Zahlen stehen auch in der Tabelle darunter.", "The template's stages in order; finished, current and upcoming stages with days per stage. The numbers are also in the table below."},
	"process.visits":             {"Aufenthalte in Phasen", "Stays in stages"},
	"process.tasks":              {"Aufgaben der aktuellen Phase", "Tasks of the current stage"},
	"process.approvals":          {"Freigaben", "Approvals"},
	"process.participants":       {"Beteiligte", "Participants"},
	"process.participants.count": {"Aktive Beteiligte je Akteursgruppe (ohne Namen)", "Active participants per stakeholder group (without names)"},
	"process.sessions":           {"Veranstaltungen", "Sessions"},
	"process.contributions":      {"Beiträge", "Contributions"},
	"process.decisions":          {"Entscheidungen", "Decisions"},
	"process.results":            {"Ergebnisse", "Results"},
	"process.measures":           {"Maßnahmen", "Measures"},
	"process.history":            {"Verlauf", "History"},
	"process.history.caption":    {"Alle Ereignisse dieses Verfahrens aus dem Ereignisspeicher, älteste zuerst", "Every event of this process from the event store, oldest first"},
	"timeline.done":              {"abgeschlossen", "finished"},
	"timeline.current":           {"aktuell", "current"},
	"timeline.upcoming":          {"kommend", "upcoming"},
	"timeline.days":              {"Tage", "days"},
	"measures.title":             {"Umsetzung der Maßnahmen", "Implementation of measures"},
	"measures.caption":           {"Maßnahmen aller Verfahren mit Fortschritt und Status", "Measures of every process with progress and status"},
	"stats.title":                {"Statistik", "Statistics"},
	"stats.bystage":              {"Verfahren je Phase", "Processes per stage"},
	"stats.durations":            {"Verweildauer je Phase", "Time spent per stage"},
	"stats.durations.caption":    {"Abgeschlossene Aufenthalte je Phase: Median und 90. Perzentil in Tagen", "Finished stays per stage: median and 90th percentile in days"},
	"error.notfound":             {"Nicht gefunden", "Not found"},
	"error.notfound.text":        {"Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen.", "This page does not exist, or you may not see it."},
	"error.forbidden":            {"Anfrage abgelehnt", "Request refused"},
	"error.forbidden.text":       {"Das Formular war abgelaufen oder stammte nicht von dieser Seite. Bitte laden Sie die Seite neu.", "The form had expired or did not come from this site. Please reload the page."},
	"error.internal":             {"Interner Fehler", "Internal error"},
	"error.unrecorded":           {"Zugriff nicht protokolliert", "Access not recorded"},
	"error.unrecorded.text":      {"Ihr Zugriff als Prüfer:in konnte nicht protokolliert werden; deshalb wird nichts angezeigt. Bitte versuchen Sie es später erneut.", "Your access as an auditor could not be recorded, so nothing is shown. Please try again later."},
	"error.internal.text":        {"Etwas ist schiefgegangen. Bitte versuchen Sie es später erneut.", "Something went wrong. Please try again later."},
	"percent":                    {"%d %%", "%d%%"},

	"status.active":    {"aktiv", "active"},
	"status.suspended": {"ausgesetzt", "suspended"},
	"status.cancelled": {"abgebrochen", "cancelled"},
	"status.completed": {"abgeschlossen", "completed"},

	"measure.planned":     {"geplant", "planned"},
	"measure.in_progress": {"in Arbeit", "in progress"},
	"measure.done":        {"erledigt", "done"},
	"measure.blocked":     {"blockiert", "blocked"},
	"measure.cancelled":   {"abgebrochen", "cancelled"},

	"event.process.opened":                    {"Verfahren eröffnet", "Process opened"},
	"history.erased":                          {"gelöscht am %s von %s (Art. 17 DSGVO)", "erased on %s by %s (Art. 17 GDPR)"},
	"event.process.task_completed":            {"Aufgabe erledigt", "Task completed"},
	"event.process.task_reopened":             {"Aufgabe wieder geöffnet", "Task reopened"},
	"event.process.approval_granted":          {"Freigabe erteilt", "Approval granted"},
	"event.process.approval_revoked":          {"Freigabe zurückgezogen", "Approval revoked"},
	"event.process.stage_completed":           {"Phase abgeschlossen", "Stage completed"},
	"event.process.stage_reverted":            {"Zurück in frühere Phase", "Returned to an earlier stage"},
	"event.process.participant_registered":    {"Beteiligte:r angemeldet", "Participant registered"},
	"event.process.participant_withdrawn":     {"Beteiligte:r abgemeldet", "Participant withdrawn"},
	"event.process.session_scheduled":         {"Veranstaltung geplant", "Session scheduled"},
	"event.process.session_held":              {"Veranstaltung durchgeführt", "Session held"},
	"event.process.contribution_recorded":     {"Beitrag erfasst", "Contribution recorded"},
	"event.process.decision_recorded":         {"Entscheidung erfasst", "Decision recorded"},
	"event.process.result_published":          {"Ergebnis veröffentlicht", "Result published"},
	"event.process.measure_defined":           {"Maßnahme festgelegt", "Measure defined"},
	"event.process.measure_progress_reported": {"Fortschritt gemeldet", "Progress reported"},
	"event.process.suspended":                 {"Verfahren ausgesetzt", "Process suspended"},
	"event.process.resumed":                   {"Verfahren fortgesetzt", "Process resumed"},
	"event.process.cancelled":                 {"Verfahren abgebrochen", "Process cancelled"},
	"event.process.completed":                 {"Verfahren abgeschlossen", "Process completed"},
	"event.process.migrated":                  {"Vorlagenversion gewechselt", "Template version changed"},
}

// translate returns the message key in the language; an unknown key shows itself, so a gap is
// visible (and a test catches it).
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return "??" + key
	}
	if lang == langEN {
		return m[1]
	}
	return m[0]
}

// berlin is the time zone dates are shown in.
var berlin = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}()

func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == langEN {
		return t.In(berlin).Format("2 Jan 2006")
	}
	return t.In(berlin).Format("02.01.2006")
}

func formatDateTime(lang string, t time.Time) string {
	if lang == langEN {
		return t.In(berlin).Format("2 Jan 2006, 15:04")
	}
	return t.In(berlin).Format("02.01.2006, 15:04")
}

// formatDays writes a number of days with one decimal (a decimal comma in German).
func formatDays(lang string, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if lang == langDE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
