package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/civicflow/civicflow/ops/httpapi"
)

// lifecycleHelp is the long help of "civicflow process <command>": what it does, who may issue
// it, its fields with their types and an example, from the same documentation as the command's
// OpenAPI operation (httpapi.CommandHelp).
func lifecycleHelp(d httpapi.CommandDoc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\nWer darf / who may: %s.\n", d.Summary, d.Description, d.Who)
	if len(d.Fields) == 0 {
		b.WriteString("\nFelder / fields: keine / none (the body is {}).\n")
	} else {
		b.WriteString("\nFelder / fields:\n")
		for _, f := range d.Fields {
			fmt.Fprintf(&b, "  --%-18s %-8s %s%s\n", flagName(f.Name), fieldType(f), requiredMark(f), f.Description)
		}
	}
	fmt.Fprintf(&b, "\nAbgelehnt (422 refused, Regel / rule): %s. Antwort / answer: the new version (ETag); --if-match refuses a stale version (412).\n",
		strings.Join(d.Rules, ", "))
	fmt.Fprintf(&b, "\nAPI: POST /api/v1/processes/{id}/%s (operationId %s)\n", d.Name, d.OperationID)
	return b.String()
}

// lifecycleExample is the command line of the documentation's example body.
func lifecycleExample(d httpapi.CommandDoc) string {
	line := "  civicflow process " + flagName(d.Name) + " 0195a3c4-8f00-7c1e-9a55-3c1d2a4b5e6f"
	for _, f := range d.Fields {
		v, ok := d.Example[f.Name]
		if !ok {
			continue
		}
		line += " --" + flagName(f.Name)
		if b, ok := v.(bool); ok && b {
			continue
		}
		line += " " + shellQuote(exampleValue(v))
	}
	return line
}

func exampleValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	case map[string]any:
		if _, votes := v["yes"]; votes {
			data, _ := json.Marshal(v)
			return string(data)
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v[k]))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"{}$&;|<>*?()") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func fieldType(f httpapi.FieldDoc) string {
	if f.Format == "date-time" {
		return "RFC3339"
	}
	return f.Type
}

func requiredMark(f httpapi.FieldDoc) string {
	if f.Required {
		return "Pflicht / required. "
	}
	return ""
}

func flagName(name string) string { return strings.ReplaceAll(name, "_", "-") }
