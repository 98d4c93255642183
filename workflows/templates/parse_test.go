package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
)

func gates(t testing.TB) *gate.Gates {
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSeeds_parse_and_validate(t *testing.T) {
	seeds, err := templates.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) == 0 {
		t.Fatal("no embedded templates")
	}
	ids := map[string]string{}
	for _, s := range seeds {
		t.Run(s.File, func(t *testing.T) {
			tpl, err := templates.ParseAndValidate(s.Data, gates(t))
			if err != nil {
				t.Fatal(err)
			}
			if prev, dup := ids[tpl.ID]; dup {
				t.Fatalf("template ID %q is used by %s too", tpl.ID, prev)
			}
			ids[tpl.ID] = s.File
		})
	}
}

func TestParse_rejects_bad_documents(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"not_yaml", "id: [unclosed", "cannot read"},
		{"unknown_field", "id: x\nstagez: []", `unknown field "stagez"`},
		{"wrong_type", "id: x\nstages: 3", "cannot unmarshal number"},
		{"a_list", "- a\n- b", "not a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := templates.Parse([]byte(tc.doc))
			if !errors.Is(err, templates.ErrSyntax) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want ErrSyntax mentioning %q", err, tc.want)
			}
		})
	}
}

func TestValidate_names_the_stage_gate_and_position_of_a_typo(t *testing.T) {
	doc := `
id: typo-test
title: {de: Test, en: Test}
stages:
  - key: tender
    title: {de: Ausschreibung, en: Tender}
    gates:
      - key: enough
        title: {de: Genug, en: Enough}
        expr: participants.cout >= 20
`
	_, err := templates.ParseAndValidate([]byte(doc), gates(t))
	var ve *template.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("err %v, want one problem", err)
	}
	p := ve.Problems[0]
	if p.Path != "stages[0].gates[0].expr" || !strings.Contains(p.Message, `stage "tender", gate "enough"`) ||
		!strings.Contains(p.Message, "cout") || !strings.Contains(p.Message, "1:13") {
		t.Fatalf("problem %+v does not name stage, gate, field and position", p)
	}
}

// FuzzParse checks that reading any document never panics, and that whatever parses validates
// without panicking too.
func FuzzParse(f *testing.F) {
	seeds, _ := templates.Seeds()
	for _, s := range seeds {
		f.Add(s.Data)
	}
	f.Add([]byte(`{"id":"x","stages":[{"key":"a","gates":[{"expr":"1 <"}]}]}`))
	g := gates(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := templates.Parse(data)
		if err != nil {
			return
		}
		_ = template.Validate(&tpl, g)
		_ = template.Hash(tpl)
	})
}
