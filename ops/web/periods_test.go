package web_test

import (
	"strings"
	"testing"
)

func TestProcessPage_shows_its_periods_with_exact_ends(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("viewer@leipzig")
	for lang, want := range map[string][]string{
		"de": {"<h2 id=\"periods\">Fristen</h2>", "Veröffentlichung des Aufrufs", "Mindestfrist", "endet am 01.10.2025, 24:00 Uhr", "nur dokumentiert"},
		"en": {"<h2 id=\"periods\">Periods</h2>", "Publication of the call", "minimum period", "ends on 1 Oct 2025, 24:00", "documented only"},
	} {
		p := b.get("/processes/" + s.leipzig.String() + "?lang=" + lang)
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s: the process page lacks %q", lang, w)
			}
		}
	}
}
