package gate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/gate"
)

func timeFacts(code string) process.GateFacts {
	f := facts()
	f.Now = time.Date(2029, 10, 31, 10, 0, 0, 0, time.UTC) // Reformationstag, a Wednesday
	end := time.Date(2029, 11, 1, 23, 0, 0, 0, time.UTC)
	f.Deadlines = map[string]process.DeadlineFacts{"publication": {Kind: "minimum", Started: true, EndsAt: end, DaysLeft: 2, LegalBasis: "§ 3 Abs. 2 BauGB"}}
	f.Dates = map[string]time.Time{"announced_at": time.Date(2029, 10, 1, 8, 0, 0, 0, time.UTC)}
	f.Stays = map[string]process.StayFacts{"early": {Days: 21, Visits: 1}}
	f.Contributions = process.ContributionFacts{Count: 5, Late: 1, ByStage: map[string]int64{"publication": 5}, LateByStage: map[string]int64{"publication": 1}}
	f.LastDecision = process.DecisionFacts{Decided: true, Model: "council_resolution", Outcome: "beschlossen"}
	f.Tasks.CompletedAt = map[string]time.Time{"publish_call": f.Now.Add(-time.Hour)}
	f.Calendar = process.CalendarFacts{Code: code, Zone: "Europe/Berlin"}
	return f
}

func TestGates_read_time_facts_and_calendar_functions(t *testing.T) {
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, code, expr string
		want             bool
	}{
		{"a_period_not_met_blocks", "DE-NW", `deadlines.publication.met`, false},
		{"days_left_and_end_are_readable", "DE-NW", `deadlines.publication.days_left == 2 && deadlines.publication.ends_at > now`, true},
		{"named_dates_are_timestamps", "DE-NW", `now - dates.announced_at > duration("720h")`, true},
		{"earlier_stays_are_readable", "DE-NW", `stays.early.days >= 21.0 && stays.early.visits == 1`, true},
		{"late_contributions_per_stage", "DE-NW", `contributions.late_by_stage["publication"] == 1 && contributions.late == 1`, true},
		{"the_last_decision_model_and_outcome", "DE-NW", `last_decision.decided && last_decision.model == "council_resolution"`, true},
		{"when_a_task_was_completed", "DE-NW", `tasks.completed_at["publish_call"] < now`, true},
		{"reformation_day_is_a_working_day_in_north_rhine_westphalia", "DE-NW", `isWorkingDay(now)`, true},
		{"reformation_day_is_a_holiday_in_saxony", "DE-SN", `isWorkingDay(now)`, false},
		{"adding_working_days_skips_reformation_day_in_saxony", "DE-SN", `addWorkingDays(now, 1) == timestamp("2029-11-01T10:00:00Z")`, true},
		{"adding_working_days_skips_all_saints_in_north_rhine_westphalia", "DE-NW", `addWorkingDays(now, 1) == timestamp("2029-11-02T10:00:00Z")`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := g.Evaluate(tc.expr, timeFacts(tc.code))
			if err != nil || got != tc.want {
				t.Errorf("%s = %v, %v; want %v", tc.expr, got, err, tc.want)
			}
		})
	}
	t.Run("a_wrong_type_of_a_time_fact_is_refused_at_publish", func(t *testing.T) {
		err := g.Check(`deadlines.publication.days_left == "two"`)
		if err == nil || !strings.Contains(err.Error(), "no matching overload") {
			t.Errorf("err %v", err)
		}
		if err := g.Check(`isWorkingDay(1)`); err == nil {
			t.Error("isWorkingDay(1) accepted")
		}
	})
}
