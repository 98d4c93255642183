package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/httpapi"
)

func TestProcessHelp_names_what_each_command_does_who_may_its_fields_with_types_and_an_example(t *testing.T) {
	for _, name := range httpapi.Commands() {
		t.Run(name, func(t *testing.T) {
			flag := strings.ReplaceAll(name, "_", "-")
			r := invoke(t, nil, "process", flag, "--help")
			doc, _ := httpapi.CommandHelp(name)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			want := []string{doc.Summary, "Wer darf / who may", "Examples:", "civicflow process " + flag + " ", "operationId " + doc.OperationID}
			want = append(want, doc.Roles...)
			if len(doc.Roles) == 0 {
				want = append(want, "roles")
			}
			for _, f := range doc.Fields {
				want = append(want, "--"+strings.ReplaceAll(f.Name, "_", "-")+" ", f.Type, f.Description)
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the help lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestProcessHelp_advance_tells_a_new_lead_what_it_needs_and_how_a_refusal_reads(t *testing.T) {
	r := invoke(t, nil, "process", "advance", "--help")
	for _, w := range []string{"nächste Phase", "next stage", "gates_not_met", "reasons", "advance_roles", "lead", "civicflow process show", "civicflow process advance 0195"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the help lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestOpenAPICmd_prints_the_served_description(t *testing.T) {
	r := invoke(t, nil, "openapi")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d, not JSON: %v", r.code, err)
	}
	if strings.TrimSpace(r.stdout) != string(httpapi.OpenAPI()) {
		t.Fatal("the printed description is not the served one")
	}
}
