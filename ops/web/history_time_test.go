package web_test

import (
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/web"
)

func TestHistory_shows_direction_late_letters_and_skipped_periods(t *testing.T) {
	tpl := domain.Template{Stages: []domain.Stage{{Key: "publication", Title: domain.Text{De: "Veröffentlichung", En: "Publication"}}},
		Deadlines: []domain.Deadline{{Key: "publication", Title: domain.Text{De: "Veröffentlichungsfrist", En: "Publication period"}}}}
	end := time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, lang string
		payload    process.Payload
		want       string
	}{
		{"a_migration_backwards_says_older", "de", process.ProcessMigrated{FromVersion: 2, ToVersion: 1}, "v2 → v1 (zurück auf eine ältere Version)"},
		{"a_migration_forwards_says_newer", "en", process.ProcessMigrated{FromVersion: 1, ToVersion: 2}, "v1 → v2 (to a newer version)"},
		{"a_late_letter_names_receipt_and_end", "de",
			process.ContributionRecorded{ReceivedAt: end.Add(10 * time.Hour), Late: &process.Lateness{Deadline: "publication", EndedAt: end}},
			"verspätet eingegangen: eingegangen 16.01.2027, 10:00 Uhr; Fristende „Veröffentlichungsfrist“ 15.01.2027, 24:00 Uhr"},
		{"a_skipped_period_names_action_end_and_reason", "en",
			process.PeriodOverridden{Deadline: "publication", LegalBasis: "§ 3 Abs. 2 BauGB", Action: "migrate", EndsAt: end, Reason: "Fehler"},
			"Publication period (§ 3 Abs. 2 BauGB) · template version changed · period ended 15 Jan 2027, 24:00 · reason: Fehler"},
		{"an_escalation_names_the_end_and_the_stage_not_left", "de",
			process.EscalationDue{Deadline: "publication", Stage: "publication", After: 3, EndsAt: end, At: end.AddDate(0, 0, 3)},
			"Veröffentlichungsfrist · Fristende 15.01.2027, 24:00 Uhr · +3 Tage danach noch in der Phase „Veröffentlichung“"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := web.Detail(tc.lang, tpl, tc.payload); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if got := web.Label("de", "event.process.migrated"); got != "Vorlagenversion gewechselt" {
		t.Errorf("label of a migration: %q (it must not say 'new')", got)
	}
	if got := web.Label("en", "event.process.escalation_due"); got != "Escalation: period ended, stage not left" {
		t.Errorf("label of an escalation: %q", got)
	}
}
