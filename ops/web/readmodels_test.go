package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// The overview, the implementation tracker and the statistics show the SQL read models, and say
// up to which event of the log their figures are computed.
func TestPages_show_the_read_models_with_their_provenance(t *testing.T) {
	s := newSite(t)
	head, err := s.store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("lead@leipzig")
	provenance := "Zahlen berechnet bis Ereignis " + head.String() + " des Protokolls"

	tests := []struct {
		name, path string
		want       []*regexp.Regexp
		absent     []string
	}{
		{"overview: participants, sessions held, contributions and measure progress of the process", "/", []*regexp.Regexp{
			regexp.MustCompile(`(?s)Spielplatz Lindenauer Markt</a> <span class="meta">[^<]*</span></th>.*?<td class="n">1</td><td class="n">0</td><td class="n">2</td>\s*<td>2: `),
		}, []string{"Bündnis für Ausbildung Menden"}},
		{"overview: participation of the tenant (groups, contributions per day)", "/", []*regexp.Regexp{
			regexp.MustCompile(`<th scope="row">Bürgerinnen und Bürger</th><td class="n">1</td>`),
			regexp.MustCompile(`<th scope="row">2025-09-01</th><td class="n">2</td>`),
		}, nil},
		{"implementation tracker: due date and overdue marker", "/measures", []*regexp.Regexp{
			regexp.MustCompile(`(?s)<tr class="m-planned overdue"><th scope="row">Bänke aufstellen</th>.*?29\.08\.2025 <strong class="badge">überfällig</strong>`),
			regexp.MustCompile(`(?s)<th scope="row">Sandkasten erneuern</th>.*?<td>—</td></tr>`),
		}, nil},
		{"statistics: in the stage now, entered, completed", "/templates/beteiligung-standard/stats", []*regexp.Regexp{
			regexp.MustCompile(`(?s)<th scope="row">Ausschreibung</th><td class="n">1</td><td class="n">1</td><td class="n">0</td>`),
			regexp.MustCompile(`Begonnen`),
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(tc.path)
			if p.status != 200 {
				t.Fatalf("%s: %d", tc.path, p.status)
			}
			if !strings.Contains(p.body, provenance) {
				t.Errorf("%s does not say %q", tc.path, provenance)
			}
			for _, re := range tc.want {
				if !re.MatchString(p.body) {
					t.Errorf("%s does not match %s", tc.path, re)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(p.body, a) {
					t.Errorf("%s shows %q (another tenant's)", tc.path, a)
				}
			}
		})
	}
	t.Run("activity: the audit timeline, newest first, in sentences", func(t *testing.T) {
		p := b.get("/activity")
		if p.status != 200 || !strings.Contains(p.body, provenance) {
			t.Fatalf("/activity: %d, provenance given: %v", p.status, strings.Contains(p.body, provenance))
		}
		opened := strings.Index(p.body, "hat das Verfahren „Spielplatz Lindenauer Markt“")
		task := strings.Index(p.body, "hat die Aufgabe")
		if opened < 0 || task < 0 || task > opened {
			t.Errorf("the activity lacks the sentences or is not newest first (task at %d, opening at %d)", task, opened)
		}
		if strings.Contains(p.body, "Bündnis für Ausbildung Menden") {
			t.Error("the activity shows another tenant's process")
		}
		if p := b.get("/activity?lang=en"); !strings.Contains(p.body, "completed the task") {
			t.Error("the English activity is not in English")
		}
	})
	t.Run("activity is not for viewers (the sentences name users)", func(t *testing.T) {
		v := s.browser()
		v.signIn("viewer@leipzig")
		if p := v.get("/activity"); p.status != 403 {
			t.Errorf("a viewer got /activity with %d", p.status)
		}
		if p := v.get("/"); strings.Contains(p.body, `href="/activity"`) {
			t.Error("the viewer's navigation links to the activity")
		}
	})
	t.Run("in English", func(t *testing.T) {
		if p := b.get("/?lang=en"); !strings.Contains(p.body, "Figures computed up to event "+head.String()+" of the log") {
			t.Errorf("the English overview does not give its provenance")
		}
	})
}
