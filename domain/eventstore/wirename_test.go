package eventstore

import (
	"regexp"
	"testing"
)

// wireNamePattern is the rule isWireName implements by hand.
var wireNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

func TestIsWireName_table(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"process.stage_completed", true},
		{"a", true},
		{"a.b.c", true},
		{"programme.session_held2", true},
		{"", false},
		{".", false},
		{"a.", false},
		{".a", false},
		{"a..b", false},
		{"_a", false},
		{"a._b", false},
		{"1a", false},
		{"a.1b", false},
		{"Process.x", false},
		{"process-x", false},
		{"process.ä", false},
		{"a b", false},
	} {
		if got := isWireName(tc.name); got != tc.want {
			t.Errorf("isWireName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzIsWireName checks the hand-written rule against the regular expression it replaces.
func FuzzIsWireName(f *testing.F) {
	for _, s := range []string{"process.stage_completed", "a..b", "a.", "_", "a.1", "Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isWireName(s), wireNamePattern.MatchString(s); got != want {
			t.Fatalf("isWireName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
