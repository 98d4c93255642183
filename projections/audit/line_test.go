package audit_test

import (
	"testing"

	"github.com/civicflow/civicflow/projections/audit"
)

func TestChunkLine_reads_back_what_it_wrote(t *testing.T) {
	contribution := audit.Line(208700, 1796456145118137026, "bench", "process.contribution_recorded")
	cases := []struct {
		name, actor, typ string
		facts            []any
		facts2           string // the facts as read back
		prev             bool   // after contribution, else after another actor's opening
	}{
		{"a_contribution", "bench", "process.contribution_recorded", nil, "", false},
		{"a_contribution_after_one", "bench", "process.contribution_recorded", nil, "", true},
		{"facts_with_commas_and_titles", "anna@leipzig", "process.stage_completed", []any{"a,b", 3, audit.Title{De: "Prüfung", En: "Review"}}, `["a,b",3,["Prüfung","Review"]]`, true},
		{"an_actor_with_comma_quote_and_newline", "O'Brien, \"Ann\"\n", "process.opened", nil, "", true},
		{"an_empty_actor", "", "template.published", nil, "", true},
		{"a_type_that_is_only_the_prefix", "x", "process.", nil, "", true},
		{"a_type_starting_with_a_dot", "x", ".odd", nil, "", false},
		{"a_type_with_a_comma", "x", "process.a,b", nil, "", true},
		{"unicode", "Jürgen", "process.ä", nil, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prev := audit.Line(208000, 1796456145218137999, "lead@leipzig", "process.opened")
			if tc.prev {
				prev = contribution
			}
			pos, at, actor, typ, facts, _, err := audit.LineRoundTrip(prev, 208734, 1796456145218137026, tc.actor, tc.typ, tc.facts)
			if err != nil || pos != 208734 || at != 1796456145218137026 || actor != tc.actor || typ != tc.typ || facts != tc.facts2 {
				t.Fatalf("read %d %d %q %q %s (%v), want %q %q %s", pos, at, actor, typ, facts, err, tc.actor, tc.typ, tc.facts2)
			}
		})
	}
	t.Run("a_contribution_after_one_takes_17_bytes", func(t *testing.T) {
		// 34 events and 0.1 s later: "34,100000000,,,\n"
		if _, _, _, _, _, n, _ := audit.LineRoundTrip(contribution, 208734, 1796456145218137026, "bench", "process.contribution_recorded", nil); n != 16 {
			t.Fatalf("line of %d bytes, want 16", n)
		}
	})
}
