// Package templates reads process templates from YAML or JSON, checks them completely (structure
// and gate expressions) and holds the templates the binary embeds: the default five-stage process
// and one template per seed programme (seeds/*.yaml).
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/civicflow/civicflow/domain/template"
)

// ErrSyntax means the document is not well-formed YAML or JSON, or has unknown or mistyped fields.
var ErrSyntax = errors.New("templates: cannot read template")

// Parse reads a template from YAML or JSON (JSON is YAML too). Unknown fields are errors.
func Parse(data []byte) (template.Template, error) {
	var tpl template.Template
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return tpl, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return tpl, fmt.Errorf("%w: the document is not a mapping of fields", ErrSyntax)
	}
	j, err := json.Marshal(doc)
	if err != nil {
		return tpl, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tpl); err != nil {
		return tpl, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return tpl, nil
}

// ParseAndValidate reads a template and checks it completely, gate expressions included; every
// problem carries its line and column in data.
func ParseAndValidate(data []byte, gates template.GateChecker) (template.Template, error) {
	tpl, err := Parse(data)
	if err != nil {
		return tpl, err
	}
	return tpl, Locate(data, template.Validate(&tpl, gates))
}

//go:embed seeds/*.yaml
var seedFS embed.FS

// Seed is an embedded template with its file name.
type Seed struct {
	// File is the file name under seeds/.
	File string
	// Data is the YAML document.
	Data []byte
}

// Seeds returns the embedded templates in file name order (the default template first).
func Seeds() ([]Seed, error) {
	names, err := fs.Glob(seedFS, "seeds/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]Seed, 0, len(names))
	for _, n := range names {
		b, err := seedFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Seed{File: path.Base(n), Data: b})
	}
	return out, nil
}
