package demo_test

import (
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

func TestLoad_the_land_use_plan_has_a_running_period_and_a_late_letter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.load(h.clock.Advance)
	var plan *process.Process
	for _, p := range h.processes() {
		if p.TemplateID == "bauleitplanung" {
			plan = p
		}
	}
	if plan == nil {
		t.Fatal("no process of the land-use planning template")
	}
	if plan.Stage != "republication" || plan.Time.Late["examination"] != 1 || plan.Contributions != 5 {
		t.Fatalf("stage %s, contributions %d, late by stage %v", plan.Stage, plan.Contributions, plan.Time.Late)
	}
	tv, err := h.engine.Template(h.ctx, plan.TemplateID, plan.TemplateVersion)
	if err != nil {
		t.Fatal(err)
	}
	running, ok := plan.PeriodOf(tv.Template, engine.DefaultCalendars, "republication", h.clock.Now())
	if !ok || !running.Started || running.Ended {
		t.Errorf("republication period %+v at %s: want started and running", running, h.clock.Now())
	}
	over, _ := plan.PeriodOf(tv.Template, engine.DefaultCalendars, "publication_30_days", h.clock.Now())
	if !over.Ended {
		t.Errorf("publication period not over: %+v", over)
	}
}
