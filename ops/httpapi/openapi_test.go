package httpapi_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/civicflow/civicflow/ops/httpapi"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOpenAPI_describes_every_operation_for_integrators(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if doc.Info.License == nil || doc.Info.License.Name == "" {
		t.Fatal("the description has no licence")
	}
	var tags []string
	for _, tag := range doc.Tags {
		tags = append(tags, tag.Name)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			t.Run(method+"_"+path, func(t *testing.T) {
				if op.OperationID == "" || op.Summary == "" || op.Description == "" {
					t.Errorf("operationId %q, summary %q, description %q", op.OperationID, op.Summary, op.Description)
				}
				if len(op.Tags) != 1 || !slices.Contains(tags, op.Tags[0]) {
					t.Errorf("tags %v, want one of %v", op.Tags, tags)
				}
				if !slices.ContainsFunc(slices.Collect(maps.Keys(op.Responses.Map())), func(s string) bool { return strings.HasPrefix(s, "4") }) {
					t.Error("no 4xx answer")
				}
			})
		}
	}
}

func TestOpenAPI_gives_each_command_a_typed_operation_with_described_fields_and_its_problems(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	sets := []struct {
		prefix, tag string
		names       []string
		help        func(string) (httpapi.CommandDoc, bool)
	}{
		{"/api/v1/processes/{id}/", "commands", httpapi.Commands(), httpapi.CommandHelp},
		{"/api/v1/programmes/{id}/", "programmes", httpapi.ProgrammeCommands(), httpapi.ProgrammeCommandHelp},
	}
	for _, set := range sets {
		for _, name := range set.names {
			t.Run(set.tag+"_"+name, func(t *testing.T) {
				item := doc.Paths.Value(set.prefix + name)
				if item == nil || item.Post == nil {
					t.Fatal("no operation of its own")
				}
				op := item.Post
				help, _ := set.help(name)
				if op.Tags[0] != set.tag || op.OperationID != help.OperationID || !strings.Contains(op.Summary, " / ") || !strings.Contains(op.Description, help.Who) {
					t.Errorf("tags %v, operationId %s, summary %q, description %q", op.Tags, op.OperationID, op.Summary, op.Description)
				}
				schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
				if len(schema.Properties) != len(help.Fields) || len(help.Fields) == 0 && name != "advance" && name != "resume" && name != "complete" {
					t.Errorf("%d properties, the command has %d fields", len(schema.Properties), len(help.Fields))
				}
				for field, p := range schema.Properties {
					if !strings.Contains(p.Value.Description, " / ") {
						t.Errorf("field %s is not described in German and English: %q", field, p.Value.Description)
					}
				}
				refused := op.Responses.Value("422").Value.Content.Get("application/problem+json").Examples
				if refused["invalid_input"] == nil || len(help.Rules) > 0 && refused["refused_"+help.Rules[0]] == nil {
					t.Errorf("the 422 answer lacks examples: %v", slices.Collect(maps.Keys(refused)))
				}
				for _, status := range []string{"400", "401", "403", "404", "412"} {
					if r := op.Responses.Value(status); r == nil || len(r.Value.Content.Get("application/problem+json").Examples) == 0 {
						t.Errorf("no %s answer with examples", status)
					}
				}
			})
		}
	}
	if ex := doc.Paths.Value("/api/v1/processes/{id}/advance").Post.Responses.Value("422").Value.Content.Get("application/problem+json").Examples["refused_gates_not_met"]; ex == nil {
		t.Error("advance has no example of its gates_not_met refusal")
	}
}
