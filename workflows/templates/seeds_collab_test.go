package templates_test

import (
	"testing"

	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

// The seed templates declare what their programmes are built around: EWS's two-person
// development teams, Leipzig's coached solution teams and certificate for the six modules,
// Gemeinsam wirken's backbone and shared indicators, Kommune 360°'s goal system as indicators.
func TestSeedTemplates_declare_teams_roles_indicators_and_certificates(t *testing.T) {
	seeds, err := templates.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]template.Template{}
	for _, s := range seeds {
		tpl, err := templates.Parse(s.Data)
		if err != nil {
			t.Fatal(err)
		}
		byID[tpl.ID] = tpl
	}
	t.Run("ews_development_teams_have_exactly_two_members", func(t *testing.T) {
		tpl := byID["ews-engagementstrategie"]
		if k, ok := tpl.TeamKind("entwicklungsteam"); !ok || k.Min != 2 || k.Max != 2 {
			t.Fatalf("entwicklungsteam %+v", k)
		}
		s, _ := tpl.Stage("strategy_decision")
		if g := s.Gates[0]; g.Key != "council_decision" || g.Expr != `decided.adopted_by[?"council"].orValue(0) >= 1` {
			t.Fatalf("the strategy gate does not ask for the council's adoption: %+v", g)
		}
	})
	t.Run("leipzig_solution_teams_are_coached_and_the_series_certified", func(t *testing.T) {
		tpl := byID["leipzig-kokreative-projektentwicklung"]
		k, _ := tpl.TeamKind("loesungsteam")
		c, _ := tpl.Certificate("weiterbildungsreihe")
		if k.Min != 3 || k.Max != 6 || !k.Coached || c.Format != "training" || c.MinAttended != 5 || len(tpl.FeedbackQuestions) == 0 {
			t.Fatalf("team kind %+v, certificate %+v", k, c)
		}
		if _, ok := tpl.ProcessRole("coach"); !ok {
			t.Fatal("no coach role")
		}
	})
	t.Run("gemeinsam_wirken_has_a_backbone_and_shared_indicators_with_baselines", func(t *testing.T) {
		tpl := byID["gemeinsam-wirken"]
		if r, ok := tpl.ProcessRole("backbone"); !ok || r.Max != 1 {
			t.Fatalf("backbone %+v", r)
		}
		i, ok := tpl.Indicator("unbesetzte_stellen")
		if !ok || i.Baseline.Value != 96 || i.Direction != "decrease" || i.Baseline.Source == "" || len(tpl.Indicators) < 3 {
			t.Fatalf("indicator %+v", i)
		}
	})
	t.Run("kommune_360_goal_system_is_indicators", func(t *testing.T) {
		tpl := byID["kommune-360-ausschussarbeit"]
		if len(tpl.Indicators) < 3 {
			t.Fatalf("%d indicators", len(tpl.Indicators))
		}
		for _, i := range tpl.Indicators {
			if err := template.CheckIndicator(i); err != nil {
				t.Errorf("%s: %v", i.Key, err)
			}
		}
	})
}
