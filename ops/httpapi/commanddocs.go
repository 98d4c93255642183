package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/process"
)

// CommandDoc describes one process command for people: what it does, who may issue it, its
// fields and an example body. The OpenAPI description (one operation per command) and the CLI's
// help are both built from it, so they cannot disagree.
type CommandDoc struct {
	// Name is the command's path segment, e.g. "advance".
	Name string
	// Summary is a one-line German / English summary.
	Summary string
	// Description says what the command does and when it is refused, German / English.
	Description string
	// Roles are the roles that may issue it; empty when the template decides (Who says how).
	Roles []string
	// Who explains who may issue it, German / English.
	Who string
	// Fields are the command's JSON fields in the order of the engine's command struct.
	Fields []FieldDoc
	// OperationID is the command's operationId in the OpenAPI description, e.g. "completeTask".
	OperationID string
	// Rules are the refusal rules (422 refused, `rule`) the command can hit.
	Rules []string
	// Example is an example request body.
	Example map[string]any
}

// FieldDoc describes one field of a command's JSON body.
type FieldDoc struct {
	// Name is the JSON name.
	Name string
	// Type is the JSON Schema type: string, integer, number, boolean, object or array.
	Type string
	// Format is the JSON Schema format ("date-time"), if any.
	Format string
	// Required says whether the field must be given.
	Required bool
	// Description says what the field holds, German / English.
	Description string
}

// commandText is the hand-written part of a command's documentation.
type commandText struct {
	summary, description string
	rules                []string
	example              map[string]any
}

// CommandHelp returns the documentation of a process command.
func CommandHelp(name string) (CommandDoc, bool) {
	newCmd, ok := commands[name]
	if !ok {
		return CommandDoc{}, false
	}
	cmd := newCmd()
	return buildDoc(name, cmd, commandTexts[name], process.RolesFor(cmd.Action()), templateDecides[name], ""), true
}

// ProgrammeCommandHelp returns the documentation of a programme command.
func ProgrammeCommandHelp(name string) (CommandDoc, bool) {
	newCmd, ok := programmeCommands[name]
	if !ok {
		return CommandDoc{}, false
	}
	txt := programmeTexts[name]
	d := buildDoc(name, newCmd(), txt.commandText, nil, txt.who, "programme.")
	d.OperationID = "programme" + camel(name, true)
	return d, true
}

// buildDoc joins a command's texts with its roles and the fields of its struct v (a pointer).
// Field texts are looked up as prefix+"command.field", "command.field", then "field".
func buildDoc(name string, v any, txt commandText, roles []string, who, prefix string) CommandDoc {
	d := CommandDoc{Name: name, OperationID: camel(name, false), Summary: txt.summary, Description: txt.description,
		Rules: slices.Concat(txt.rules, []string{"closed", "suspended"}), Example: txt.example, Roles: roles, Who: who}
	if prefix != "" {
		d.Rules = txt.rules
	}
	if name == "resume" { // resuming is what a suspended process may do
		d.Rules = d.Rules[:len(d.Rules)-1]
	}
	if name == "set_open_data" { // allowed in every status
		d.Rules = txt.rules
	}
	if d.Example == nil {
		d.Example = map[string]any{}
	}
	if d.Who == "" {
		d.Who = "Rollen / roles: " + strings.Join(d.Roles, ", ")
	}
	d.Fields = fieldDocs(name, prefix, reflect.TypeOf(v).Elem())
	return d
}

// fieldDocs lists the JSON fields of struct t, those of embedded structs in their place.
func fieldDocs(command, prefix string, t reflect.Type) []FieldDoc {
	var out []FieldDoc
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, fieldDocs(command, prefix, f.Type)...)
			continue
		}
		out = append(out, fieldDoc(command, prefix, f))
	}
	return out
}

// templateDecides explains who may issue the commands whose roles the template sets.
var templateDecides = map[string]string{
	"advance":         "Die Rollen, die die Phase der Vorlage unter advance_roles nennt (sonst Verwaltung und Verfahrensleitung) / the roles the template's stage names in advance_roles (by default administrator and lead)",
	"go_back":         "Wer advance darf (advance_roles der Phase); die Phase muss den Rückschritt nach `to` erlauben / whoever may advance (the stage's advance_roles); the stage must allow going back to `to`",
	"grant_approval":  "Die Rollen, die die Freigabe in der Vorlage nennt (roles); nie die Verfahrensleitung des eigenen Verfahrens (Vier-Augen-Prinzip) / the roles the template's approval names (roles); never the lead of their own process (four eyes)",
	"revoke_approval": "Die Rollen, die die Freigabe in der Vorlage nennt (roles) / the roles the template's approval names (roles)",
}

func fieldDoc(command, prefix string, f reflect.StructField) FieldDoc {
	name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	fd := FieldDoc{Name: name, Required: !strings.Contains(opts, "omit")}
	for _, key := range []string{prefix + command + "." + name, command + "." + name, name} {
		if fd.Description = fieldTexts[key]; fd.Description != "" {
			break
		}
	}
	fd.Type, fd.Format = jsonType(f.Type)
	return fd
}

var timeType = reflect.TypeFor[time.Time]()

// jsonType maps a Go field type to its JSON Schema type and format.
func jsonType(t reflect.Type) (string, string) {
	if t == timeType {
		return "string", "date-time"
	}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool { // a required boolean that must be given
		return "boolean", ""
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean", ""
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer", ""
	case reflect.Float64, reflect.Float32:
		return "number", ""
	case reflect.Slice:
		return "array", ""
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "object", ""
	}
	return "string", ""
}

// schema returns the JSON Schema of the command's request body.
func (d CommandDoc) schema() map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, f := range d.Fields {
		props[f.Name] = fieldSchema(d.Name, f)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	s := map[string]any{"type": "object", "additionalProperties": false, "properties": props,
		"description": d.Summary + ". Unbekannte Felder werden abgelehnt / unknown fields are refused."}
	if len(required) > 0 {
		s["required"] = required
	}
	ex, _ := json.Marshal(d.Example)
	var example any
	_ = json.Unmarshal(ex, &example)
	s["examples"] = []any{example}
	return s
}

func fieldSchema(command string, f FieldDoc) map[string]any {
	s := map[string]any{"type": f.Type, "description": f.Description}
	if f.Format != "" {
		s["format"] = f.Format
	}
	switch command + "." + f.Name {
	case "migrate.stage_mapping":
		s["additionalProperties"] = map[string]any{"type": "string"}
	case "give_feedback.ratings":
		s["additionalProperties"] = map[string]any{"type": "integer"}
	case "record_decision.votes":
		n := map[string]any{"type": "integer", "minimum": 0}
		s["properties"] = map[string]any{"yes": n, "no": n, "abstain": n}
		s["additionalProperties"] = false
	}
	if f.Type == "array" {
		s["items"] = map[string]any{"type": "string"}
	}
	return s
}
