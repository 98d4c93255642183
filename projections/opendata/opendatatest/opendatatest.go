// Package opendatatest checks open-data exports in tests: against a JSON Schema with a real
// validator (santhosh-tekuri/jsonschema, draft 2020-12, formats asserted).
package opendatatest

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validate fails t unless body is JSON valid against schema (e.g. opendata.Schema, or the schema
// a server serves).
func Validate(t testing.TB, schema, body []byte) {
	t.Helper()
	if err := Check(schema, body); err != nil {
		t.Fatalf("the export does not match its JSON Schema: %v\n%s", err, body)
	}
}

// Check returns why body is not JSON valid against schema (nil when it is).
func Check(schema, body []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("opendata.schema.json", doc); err != nil {
		return err
	}
	s, err := c.Compile("opendata.schema.json")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return s.Validate(v)
}
