package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicflow/civicflow/projections/opendata"
)

// addOpenDataOperations adds the open-data export and its JSON Schema to the description. The
// export's schema is opendata.Schema itself, its $defs moved to components as OpenData… schemas,
// so that the description and the served schema cannot disagree.
func addOpenDataOperations(d map[string]any) error {
	var s map[string]any
	if err := json.Unmarshal(opendata.Schema, &s); err != nil {
		return fmt.Errorf("opendata.schema.json: %w", err)
	}
	schemas := d["components"].(map[string]any)["schemas"].(map[string]any)
	defs, _ := s["$defs"].(map[string]any)
	delete(s, "$defs")
	delete(s, "$schema")
	delete(s, "$id")
	for name, def := range defs {
		schemas["OpenData"+camel(name, true)] = rewriteDefs(def)
	}
	schemas["OpenData"] = rewriteDefs(s)
	problemRef := func(name string) map[string]any { return map[string]any{"$ref": "#/components/responses/" + name} }
	tenant := map[string]any{"name": "tenant", "in": "path", "required": true, "schema": map[string]any{"type": "string"},
		"description": "Die Kommune (Mandant), z. B. leipzig / the tenant, e.g. leipzig"}
	format := map[string]any{"name": "format", "in": "query", "required": false, "schema": map[string]any{"type": "string", "enum": []string{"json", "csv"}},
		"description": "json (Standard) oder csv; ohne ?format= wählt `Accept: text/csv` CSV / json (default) or csv; without ?format= `Accept: text/csv` selects CSV"}
	paths := d["paths"].(map[string]any)
	paths["/api/v1/opendata/{tenant}"] = map[string]any{"get": map[string]any{
		"operationId": "openData",
		"tags":        []string{"open data"},
		"security":    []any{},
		"summary":     "Offene Daten einer Kommune / a tenant's open data",
		"description": "Die zusammengefassten, nicht personenbezogenen Kennzahlen jedes Verfahrens, das eine Verwaltung mit `set_open_data` freigegeben hat (Vorlage, Status, Phase und Phasendaten, Teilnehmende je Beteiligtengruppe, Veranstaltungen je Format, Beiträge je Tag, Maßnahmen und Fortschritt), mit DCAT-AP.de-Metadaten (dct:title, dct:description, dct:publisher, dct:license = Datenlizenz Deutschland – Namensnennung 2.0, dct:temporal, dct:modified). Nie Namen, E-Mail-Adressen, Personen-IDs oder Beitragstexte. Ohne Token; JSON (Schema: `GET /api/opendata.schema.json`) oder CSV (eine Zeile je Kennzahl). Eine unbekannte Kommune ist 404 und zählt wie ein Fehlversuch der Anmeldung (429 nach mehreren). / " +
			"The aggregate, non-personal figures of every process an administration marked public with `set_open_data` (template, status, stage and stage dates, participants per stakeholder group, sessions per format, contributions per day, measures and progress), with DCAT-AP.de metadata (dct:title, dct:description, dct:publisher, dct:license = Data licence Germany – attribution 2.0, dct:temporal, dct:modified). Never names, e-mail addresses, person IDs or contribution texts. No token; JSON (schema: `GET /api/opendata.schema.json`) or CSV (one row per figure). An unknown tenant is 404 and counts like a failed authentication attempt (429 after several).",
		"parameters": []any{tenant, format},
		"responses": map[string]any{
			"200": map[string]any{"description": "die offenen Daten / the open data", "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/OpenData"}},
				"text/csv": map[string]any{"schema": map[string]any{"type": "string", "description": "Kopfzeile / header: " +
					strings.Join(opendata.CSVHeader, ",")}},
			}},
			"400": problemRef("BadRequest"),
			"404": problemRef("NotFound"),
			"429": problemRef("TooManyFailedAttempts"),
			"503": problemRef("Unavailable"),
		},
	}}
	paths["/api/opendata.schema.json"] = map[string]any{"get": map[string]any{
		"operationId": "openDataSchema",
		"tags":        []string{"open data"},
		"security":    []any{},
		"summary":     "JSON Schema der offenen Daten / JSON Schema of the open data",
		"description": "Das JSON Schema (Draft 2020-12), gegen das jeder JSON-Export von `GET /api/v1/opendata/{tenant}` gültig ist; ohne Token. / The JSON Schema (draft 2020-12) every JSON export of `GET /api/v1/opendata/{tenant}` is valid against; no token needed.",
		"responses": map[string]any{
			"200": map[string]any{"description": "das Schema / the schema", "content": map[string]any{
				"application/schema+json": map[string]any{"schema": map[string]any{"type": "object"}}}},
			"404": problemRef("NotFound"),
		},
	}}
	return nil
}

// rewriteDefs returns v with every "#/$defs/x" reference turned into "#/components/schemas/OpenDataX".
func rewriteDefs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, "#/$defs/") {
				x[k] = "#/components/schemas/OpenData" + camel(strings.TrimPrefix(s, "#/$defs/"), true)
				continue
			}
			x[k] = rewriteDefs(e)
		}
	case []any:
		for i, e := range x {
			x[i] = rewriteDefs(e)
		}
	}
	return v
}
