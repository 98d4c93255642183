package httpapi

import (
	"encoding/json"
	"strings"
)

// complete finishes the served OpenAPI description: one operation per process command
// (openapi_commands.go), the shared problem answers, and for every operation its tag, a
// description and a 4xx answer; the document's tags and licence.
func complete(doc []byte) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	addCommandOperations(d)
	addProblemResponses(d)
	if err := addOpenDataOperations(d); err != nil {
		return nil, err
	}
	info := d["info"].(map[string]any)
	info["contact"] = map[string]any{"name": "civicflow", "url": "https://github.com/civicflow/civicflow"}
	info["license"] = map[string]any{"name": "European Union Public Licence 1.2", "identifier": "EUPL-1.2"}
	var tags []any
	for _, t := range apiTags {
		tags = append(tags, map[string]any{"name": t[0], "description": t[1]})
	}
	d["tags"] = tags
	for path, item := range d["paths"].(map[string]any) {
		for _, op := range item.(map[string]any) {
			if op, ok := op.(map[string]any); ok {
				describe(path, op)
			}
		}
	}
	return json.MarshalIndent(d, "", " ")
}

// apiTags are the document's tags with their descriptions, in the order a reader meets them.
var apiTags = [][2]string{
	{"service", "Betrieb: Lebenszeichen, Bereitschaft, diese Beschreibung / operation: liveness, readiness, this description"},
	{"templates", "Vorlagen für Verfahren: veröffentlichen, ableiten, zurückziehen / process templates: publish, derive, retire"},
	{"processes", "Verfahren öffnen, lesen, Verlauf, Bericht, Zeitleiste / open and read processes, their history, report and timeline"},
	{"commands", "Befehle an ein Verfahren, einer je Operation / commands to a process, one per operation"},
	{"read models", "Übersichten über alle Verfahren / overviews across all processes"},
	{"audit", "Prüfung: Integrität, Hash-Ketten-Köpfe / audit: integrity, hash chain heads"},
	{"persons", "Personenbezogene Daten löschen (Art. 17 DSGVO) / erase personal data (Art. 17 GDPR)"},
	{"programmes", "Programme über mehrere Verfahren / programmes spanning several processes"},
	{"notifications", "Benachrichtigungen: Kalender, unzustellbare Nachrichten / notifications: calendar, dead letters"},
	{"open data", "Offene Daten: zusammengefasste, nicht personenbezogene Kennzahlen öffentlicher Verfahren, ohne Token / open data: aggregate, non-personal figures of public processes, no token"},
}

// tagOf names the tag of an operation by its path.
func tagOf(path string) string {
	switch {
	case path == "/healthz" || path == "/readyz" || path == "/api/openapi.json":
		return "service"
	case strings.HasPrefix(path, "/api/v1/templates"):
		return "templates"
	case strings.HasPrefix(path, "/api/v1/programmes"):
		return "programmes"
	case strings.HasPrefix(path, "/api/v1/audit") || strings.HasSuffix(path, "/verify"):
		return "audit"
	case strings.HasPrefix(path, "/api/v1/persons"):
		return "persons"
	case strings.HasPrefix(path, "/api/v1/notifications") || strings.HasPrefix(path, "/api/v1/calendar"):
		return "notifications"
	case strings.HasPrefix(path, "/api/v1/processes"):
		return "processes"
	}
	return "read models"
}

// describe gives an operation a tag, a description and a 4xx answer where it has none.
func describe(path string, op map[string]any) {
	if _, ok := op["tags"]; !ok {
		op["tags"] = []string{tagOf(path)}
	}
	if _, ok := op["description"]; !ok {
		if text, ok := descriptions[op["operationId"].(string)]; ok {
			op["description"] = text
		}
	}
	responses := op["responses"].(map[string]any)
	for status := range responses {
		if strings.HasPrefix(status, "4") {
			return
		}
	}
	responses["431"] = map[string]any{"description": "Kopfzeilen zu groß; der HTTP-Server antwortet im Klartext / request headers too large; the HTTP server answers in plain text",
		"content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}}
}

// descriptions are the operations' descriptions by operationId, for those openapi.json has none.
var descriptions = map[string]string{
	"health":              "Antwortet 200, solange der Prozess läuft; ohne Token. / Answers 200 while the process runs; no token needed.",
	"ready":               "Antwortet 200, wenn Speicher und Lesemodelle bereit sind, sonst 503 not_ready; ohne Token. / Answers 200 when the store and the read models are ready, otherwise 503 not_ready; no token needed.",
	"openapi":             "Diese OpenAPI-3.1-Beschreibung, mit einer Operation je Verfahrensbefehl; ohne Token. / This OpenAPI 3.1 description, with one operation per process command; no token needed.",
	"listTemplates":       "Die Vorlagen, die die Kommune sieht (eigene und die der Installation), mit ihren Versionen. / The templates the tenant sees (its own and the installation's), with their versions.",
	"publishTemplate":     "Veröffentlicht eine Vorlage (YAML oder JSON) als neue Version; eine ungültige wird mit jedem Fehler und seinem Pfad abgelehnt. / Publishes a template (YAML or JSON) as a new version; an invalid one is refused with every problem and its path.",
	"showTemplate":        "Die neueste Version einer Vorlage. / The latest version of a template.",
	"showTemplateVersion": "Eine bestimmte Version einer Vorlage. / One version of a template.",
	"retireTemplate":      "Zieht eine Version zurück: laufende Verfahren laufen weiter, neue werden nicht mehr geöffnet. / Retires a version: running processes go on, no new ones open.",
	"deriveTemplate":      "Leitet eine eigene Vorlage der Kommune aus einer Vorlage der Installation ab. / Derives a tenant's own template from one of the installation's.",
	"listProcesses":       "Die Verfahren der Kommune, gefiltert und seitenweise (cursor). / The tenant's processes, filtered and paged (cursor).",
	"openProcess":         "Öffnet ein Verfahren aus einer Vorlage; mit Idempotency-Key liefert eine Wiederholung dasselbe Verfahren. / Opens a process from a template; with an Idempotency-Key a retry returns the same process.",
	"showProcess":         "Der Stand eines Verfahrens, mit ETag; mit ?at= oder ?version= der Stand von damals. / A process's state, with its ETag; with ?at= or ?version= its state back then.",
	"history":             "Die Ereignisse eines Verfahrens, seitenweise, mit Bezeichnung und Satz in Deutsch und Englisch. / A process's events, paged, each with its label and sentence in German and English.",
	"report":              "Der Prüfbericht eines Verfahrens (HTML oder JSON). / A process's audit report (HTML or JSON).",
	"verifyProcess":       "Prüft die Hash-Kette eines Verfahrens. / Verifies a process's hash chain.",
	"verifyStore":         "Prüft den ganzen Speicher: Ketten, Köpfe, Siegel. / Verifies the whole store: chains, heads, seals.",
	"auditHeads":          "Die Köpfe aller Hash-Ketten, zum Vergleich mit einer Kopie. / The heads of every hash chain, to compare with a copy.",
	"erasePerson":         "Löscht die personenbezogenen Daten einer Person in allen Verfahren (Art. 17 DSGVO); die Ereignisse bleiben, ihre Schlüssel werden vernichtet. / Erases a person's personal data in every process (Art. 17 GDPR); the events stay, their keys are destroyed.",
	"overview":            "Zahl der Verfahren je Status und Phase. / Number of processes by status and stage.",
	"stageStats":          "Dauer der Phasen: Mittel, Median, Überschreitungen. / Stage durations: mean, median, overruns.",
	"participation":       "Teilnehmende je Gruppe und Veranstaltungen je Format. / Participants per group and sessions per format.",
	"measures":            "Maßnahmen mit Fortschritt und Status über alle Verfahren. / Measures with progress and status across processes.",
	"timeline":            "Die Zeitleiste eines Verfahrens: jedes Ereignis als Satz. / A process's timeline: every event as a sentence.",
}
