package gate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/gate"
)

func facts() process.GateFacts {
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	return process.GateFacts{
		Tasks:        process.TaskFacts{RequiredDone: true, Required: 2, Done: 3, Completed: []string{"publish_call"}},
		Participants: process.ParticipantFacts{Count: 24, ByGroup: map[string]int64{"citizens": 20, "politics": 4}, Groups: 2},
		Sessions:     process.SessionFacts{Scheduled: 3, Held: 2, ByFormat: map[string]int64{"workshop": 2}},
		Approvals:    process.ApprovalFacts{Granted: []string{"department_head"}},
		Stage:        process.StageFacts{Key: "tender", EnteredAt: now.Add(-31 * 24 * time.Hour), Days: 31},
		Now:          now,
	}
}

func TestGates_evaluate(t *testing.T) {
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		expr string
		want bool
	}{
		{"issue_example_holds", `tasks.required_done && participants.count >= 20 && approvals.has("department_head")`, true},
		{"missing_approval", `approvals.has("council")`, false},
		{"group_count", `participants.by_group["citizens"] >= 20 && participants.groups >= 2`, true},
		{"absent_group_with_default", `participants.by_group[?"business"].orValue(0) >= 1`, false},
		{"published_for_thirty_days", `now - stage.entered_at >= duration("720h")`, true},
		{"days_in_stage", `stage.days >= 45.0`, false},
		{"task_in_list", `"publish_call" in tasks.completed`, true},
		{"sessions_per_format", `sessions.by_format["workshop"] >= 2`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := g.Evaluate(tc.expr, facts())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("%s = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestGates_reject_at_check_time(t *testing.T) {
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, expr, want string
	}{
		{"misspelt_field", `tasks.requird_done`, "requird_done"},
		{"unknown_variable", `participant.count > 3`, "participant"},
		{"not_a_bool", `participants.count + 1`, "not a truth value"},
		{"wrong_type", `participants.count > "zwanzig"`, "no matching overload"},
		{"syntax", `tasks.required_done &&`, "Syntax error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := g.Check(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check(%q) = %v, want an error mentioning %q", tc.expr, err, tc.want)
			}
		})
	}
}
