package httpapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// openapiProgrammes holds the paths and schemas of the programme routes (programmes.go), kept
// apart from openapi.json and merged into it once at start.
//
//go:embed openapi_programmes.json
var openapiProgrammes []byte

func init() {
	merged, err := mergeOpenAPI(openapiDoc, openapiProgrammes, slices.Sorted(maps.Keys(collabCommands)))
	if err != nil {
		panic(fmt.Sprintf("httpapi: the embedded OpenAPI parts do not merge: %v", err))
	}
	if openapiDoc, err = complete(merged); err != nil {
		panic(fmt.Sprintf("httpapi: the OpenAPI description cannot be completed: %v", err))
	}
}

// mergeOpenAPI adds part's paths and schemas to doc, names to the enum of the process command
// path, the collab property to the Process schema and part's command description to the Command
// schema's.
func mergeOpenAPI(doc, part []byte, names []string) ([]byte, error) {
	var d, p map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(part, &p); err != nil {
		return nil, err
	}
	maps.Copy(d["paths"].(map[string]any), p["paths"].(map[string]any))
	maps.Copy(d["components"].(map[string]any)["schemas"].(map[string]any), p["schemas"].(map[string]any))
	schemas := d["components"].(map[string]any)["schemas"].(map[string]any)
	schemas["Process"].(map[string]any)["properties"].(map[string]any)["collab"] = map[string]any{"$ref": "#/components/schemas/Collab"}
	command := schemas["Command"].(map[string]any)
	command["description"] = command["description"].(string) + " " + p["command_description"].(string)
	post := d["paths"].(map[string]any)["/api/v1/processes/{id}/{command}"].(map[string]any)["post"].(map[string]any)
	for _, param := range post["parameters"].([]any) {
		if pm := param.(map[string]any); pm["name"] == "command" {
			schema := pm["schema"].(map[string]any)
			for _, n := range names {
				schema["enum"] = append(schema["enum"].([]any), n)
			}
		}
	}
	return json.MarshalIndent(d, "", " ")
}
