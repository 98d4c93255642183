package template_test

import (
	"testing"

	"github.com/civicflow/civicflow/domain/template"
)

func TestQualify_and_OwnerOf_keep_tenants_templates_apart(t *testing.T) {
	cases := []struct {
		name, owner, id, full string
	}{
		{"an_installation_template_keeps_its_id", template.Installation, "beteiligung-standard", "beteiligung-standard"},
		{"a_tenants_template_is_prefixed_with_the_tenant", "leipzig", "foo", "leipzig:foo"},
		{"another_tenants_same_id_is_another_template", "menden", "foo", "menden:foo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := template.Qualify(c.owner, c.id); got != c.full {
				t.Fatalf("Qualify(%q, %q) = %q, want %q", c.owner, c.id, got, c.full)
			}
			if got := template.OwnerOf(c.full); got != c.owner {
				t.Fatalf("OwnerOf(%q) = %q, want %q", c.full, got, c.owner)
			}
		})
	}
	if err := template.Validate(&template.Template{ID: "leipzig:foo"}, nil); err == nil {
		t.Fatal("a template's own id may contain a colon, so it could pass for another tenant's")
	}
}
