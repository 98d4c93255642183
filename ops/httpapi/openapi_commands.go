package httpapi

import (
	"fmt"
	"strings"
)

// genericCommandPath is the one operation all process commands shared before each got its own;
// its id, If-Match and Idempotency-Key parameters and its 200 answer are reused for each command.
const genericCommandPath = "/api/v1/processes/{id}/{command}"

// genericProgrammeCommandPath is the same for the programme commands.
const genericProgrammeCommandPath = "/api/v1/programmes/{id}/{command}"

// commandPath is the path of a process command's own operation.
func commandPath(name string) string { return "/api/v1/processes/{id}/" + name }

// programmeCommandPath is the path of a programme command's own operation.
func programmeCommandPath(name string) string { return "/api/v1/programmes/{id}/" + name }

// commandSet is a family of commands that shared one operation: process or programme commands.
type commandSet struct {
	generic, schema, tag, schemaPrefix string
	names                              []string
	path                               func(string) string
	help                               func(string) (CommandDoc, bool)
}

// addCommandOperations replaces the shared command operations of doc by one operation per process
// and programme command, each with its own request schema built from the engine's command struct
// (CommandHelp, ProgrammeCommandHelp).
func addCommandOperations(d map[string]any) {
	for _, set := range []commandSet{
		{genericCommandPath, "Command", "commands", "", Commands(), commandPath, CommandHelp},
		{genericProgrammeCommandPath, "ProgrammeCommand", "programmes", "Programme", ProgrammeCommands(), programmeCommandPath, ProgrammeCommandHelp},
	} {
		addOperations(d, set)
	}
}

func addOperations(d map[string]any, set commandSet) {
	paths := d["paths"].(map[string]any)
	schemas := d["components"].(map[string]any)["schemas"].(map[string]any)
	generic := paths[set.generic].(map[string]any)["post"].(map[string]any)
	delete(paths, set.generic)
	delete(schemas, set.schema)
	var params []any
	for _, p := range generic["parameters"].([]any) {
		if p.(map[string]any)["name"] != "command" {
			params = append(params, p)
		}
	}
	ok := generic["responses"].(map[string]any)["200"]
	for _, name := range set.names {
		doc, _ := set.help(name)
		schemaName := set.schemaPrefix + camel(name, true) + "Command"
		schemas[schemaName] = doc.schema()
		paths[set.path(name)] = map[string]any{"post": commandOperation(doc, schemaName, set.tag, params, ok)}
	}
}

func commandOperation(doc CommandDoc, schemaName, tag string, params []any, ok any) map[string]any {
	responses := map[string]any{"200": ok}
	for _, status := range []string{"400", "401", "403", "404", "409", "412", "413", "415", "429", "503"} {
		responses[status] = map[string]any{"$ref": "#/components/responses/" + problemResponses[status]}
	}
	responses["422"] = refusedResponse(doc)
	return map[string]any{
		"operationId": doc.OperationID,
		"tags":        []string{tag},
		"summary":     doc.Summary,
		"description": doc.Description + "\n\nWer darf / who may: " + doc.Who + ".",
		"parameters":  params,
		"requestBody": map[string]any{"required": true, "description": doc.Summary,
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schemaName}}}},
		"responses": responses,
	}
}

// refusedResponse is a command's 422 answer with an example for each problem it can give.
func refusedResponse(doc CommandDoc) map[string]any {
	examples := map[string]any{
		"invalid_input": problemExample(422, "invalid_input", "task: unbekannt / unknown", "", nil),
		"idempotency_key_reused": problemExample(422, "idempotency_key_reused",
			"Dieser Idempotency-Key gehört zu einer anderen Anfrage; nichts wurde ausgeführt / this Idempotency-Key belongs to another request; nothing was done", "", nil),
	}
	for _, rule := range doc.Rules {
		var reasons []string
		if rule == "gates_not_met" {
			reasons = []string{"Aufgabe offen / task open: define_subject", "Freigabe fehlt / approval missing: lead_signoff"}
		}
		examples["refused_"+rule] = problemExample(422, "refused", "Abgelehnt / refused: "+rule, rule, reasons)
	}
	return map[string]any{
		"description": "Ungültige Eingabe oder von einer Regel abgelehnt (`rule`: " + strings.Join(doc.Rules, ", ") +
			"); nichts wurde geändert / invalid input or refused by a rule; nothing changed",
		"content": map[string]any{"application/problem+json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Problem"}, "examples": examples}},
	}
}

func problemExample(status int, code, detail, rule string, reasons []string) map[string]any {
	v := map[string]any{"type": "https://civicflow.example/problems/" + code, "title": code, "status": status, "code": code, "detail": detail}
	if rule != "" {
		v["rule"] = rule
	}
	if reasons != nil {
		v["reasons"] = reasons
	}
	return map[string]any{"summary": code, "value": v}
}

// camel turns "complete_task" into "completeTask" (or "CompleteTask").
func camel(name string, upper bool) string {
	var b strings.Builder
	for i, part := range strings.Split(name, "_") {
		if part == "" {
			continue
		}
		if i > 0 || upper {
			part = strings.ToUpper(part[:1]) + part[1:]
		}
		b.WriteString(part)
	}
	return b.String()
}

// problemResponses names the shared problem answer of each status.
var problemResponses = map[string]string{
	"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict",
	"412": "PreconditionFailed", "413": "PayloadTooLarge", "415": "UnsupportedMediaType", "429": "TooManyFailedAttempts",
	"503": "Unavailable",
}

// problemCodes are the problem codes of each shared answer, each given as an example.
var problemCodes = map[string][]string{
	"400": {"malformed_json", "wrong_type", "unknown_field", "bad_uuid", "bad_date", "bad_header", "invalid_utf8", "duplicate_key", "control_character"},
	"401": {"unauthenticated"},
	"403": {"forbidden"},
	"404": {"not_found"},
	"409": {"conflict"},
	"412": {"version_mismatch"},
	"413": {"body_too_large"},
	"415": {"unsupported_media_type"},
	"503": {"unavailable", "audit_record_failed", "storage_full"},
}

// addProblemResponses adds the shared problem answers with an example for each of their codes.
func addProblemResponses(d map[string]any) {
	responses := d["components"].(map[string]any)["responses"].(map[string]any)
	for status, name := range problemResponses {
		if _, ok := responses[name]; ok {
			continue
		}
		examples := map[string]any{}
		var n int
		fmt.Sscan(status, &n)
		for _, code := range problemCodes[status] {
			examples[code] = problemExample(n, code, problemDetails[code], "", nil)
		}
		responses[name] = map[string]any{
			"description": problemDetails[status],
			"content": map[string]any{"application/problem+json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/Problem"}, "examples": examples}},
		}
	}
}

// problemDetails are the descriptions of the shared answers (by status) and the example details
// (by code).
var problemDetails = map[string]string{
	"400":                    "Fehlerhafte Anfrage; `field` nennt das Feld / malformed request; `field` names the field",
	"401":                    "Gültiges Bearer-Token nötig / a valid bearer token is required",
	"403":                    "Die Rolle darf das nicht / the role may not do this",
	"404":                    "Verfahren nicht gefunden (oder einer anderen Kommune) / process not found (or another tenant's)",
	"409":                    "Gleichzeitige Änderung, bitte wiederholen / concurrent change, please retry",
	"412":                    "If-Match ist veraltet; `current_version` und ETag nennen die aktuelle Version / If-Match is stale; `current_version` and the ETag name the current version",
	"413":                    "Inhalt zu groß / body too large",
	"415":                    "Content-Type muss application/json sein / Content-Type must be application/json",
	"503":                    "Vorübergehend nicht verfügbar, nichts wurde geschrieben; später erneut versuchen / temporarily unavailable, nothing was written; retry later",
	"malformed_json":         "Ungültiges JSON an Position 24 / malformed JSON at offset 24",
	"wrong_type":             "attendance: erwartet / expected int, erhalten / got string",
	"unknown_field":          "Unbekanntes Feld / unknown field: colour",
	"bad_uuid":               "\"not-a-uuid\" ist keine UUID / is not a UUID",
	"bad_date":               "Ungültiges Datum, erwartet RFC 3339 / bad date, RFC 3339 expected",
	"bad_header":             "If-Match \"yesterday\": erwartet eine Version wie \"3\" / expected a version such as \"3\"",
	"invalid_utf8":           "Der Inhalt ist kein UTF-8 / the body is not UTF-8",
	"duplicate_key":          "Schlüssel doppelt / duplicate key: task",
	"control_character":      "Steuerzeichen im Feld / control character in field: evidence",
	"unauthenticated":        "Gültiges Bearer-Token nötig / a valid bearer token is required",
	"forbidden":              "Rolle viewer darf complete_task nicht / role viewer may not complete_task",
	"not_found":              "Nicht gefunden / not found",
	"conflict":               "Gleichzeitige Änderung, bitte wiederholen / concurrent change, please retry",
	"version_mismatch":       "Die Version ist veraltet / the version is stale: expected 1, current 2",
	"body_too_large":         "Der Inhalt ist größer als 65536 Bytes / the body exceeds 65536 bytes",
	"unsupported_media_type": "Content-Type \"application/x-www-form-urlencoded\": application/json erwartet / expected",
	"unavailable":            "Vorübergehend nicht verfügbar / temporarily unavailable",
	"audit_record_failed":    "Der Zugriff konnte nicht protokolliert werden / the access could not be recorded",
	"storage_full":           "Speicher voll, nichts wurde geschrieben; bitte später erneut versuchen / storage full, nothing was written; please retry later",
}
