package audit_test

import (
	"testing"

	"github.com/civicflow/civicflow/projections/audit"
)

func TestChunkLine_reads_back_what_it_wrote(t *testing.T) {
	cases := []struct {
		name, actor, typ string
		facts            []any
		facts2           string // the facts as read back
	}{
		{"a_contribution", "bench", "process.contribution_recorded", nil, ""},
		{"facts_with_commas_and_titles", "anna@leipzig", "process.stage_completed", []any{"a,b", 3, audit.Title{De: "Prüfung", En: "Review"}}, `["a,b",3,["Prüfung","Review"]]`},
		{"an_actor_with_comma_quote_and_newline", "O'Brien, \"Ann\"\n", "process.opened", nil, ""},
		{"an_empty_actor", "", "template.published", nil, ""},
		{"a_type_that_is_only_the_prefix", "x", "process.", nil, ""},
		{"a_type_starting_with_a_dot", "x", ".odd", nil, ""},
		{"a_type_with_a_comma", "x", "process.a,b", nil, ""},
		{"unicode", "Jürgen", "process.ä", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pos, at, actor, typ, facts, _, err := audit.LineRoundTrip(208734, 1796456145218137026, tc.actor, tc.typ, tc.facts)
			if err != nil || pos != 208734 || at != 1796456145218137026 || actor != tc.actor || typ != tc.typ || facts != tc.facts2 {
				t.Fatalf("read %d %d %q %q %s (%v), want %q %q %s", pos, at, actor, typ, facts, err, tc.actor, tc.typ, tc.facts2)
			}
		})
	}
	t.Run("a_contribution_takes_57_bytes", func(t *testing.T) {
		if _, _, _, _, _, n, _ := audit.LineRoundTrip(208734, 1796456145218137026, "bench", "process.contribution_recorded", nil); n != 57 {
			t.Fatalf("line of %d bytes, want 57", n)
		}
	})
}
