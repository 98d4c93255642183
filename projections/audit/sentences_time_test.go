package audit_test

import (
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/audit"
)

func TestTell_says_late_overridden_and_backwards(t *testing.T) {
	end := time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC) // 16.01.2027 00:00 in Berlin
	for _, tc := range []struct {
		name    string
		payload process.Payload
		de, en  string
	}{
		{"a_late_letter_names_its_receipt_and_the_end_of_the_period",
			process.ContributionRecorded{Contribution: "k", ReceivedAt: end.Add(9 * time.Hour), Late: &process.Lateness{Deadline: "publication", EndedAt: end}},
			"anna hat einen verspäteten Beitrag erfasst: eingegangen 16.01.2027, 09:00 Uhr, nach dem Ende der Frist „publication“ 15.01.2027, 24:00 Uhr.",
			"anna recorded a late contribution: received 16 Jan 2027, 09:00, after the period “publication” ended 15 Jan 2027, 24:00."},
		{"a_contribution_in_time_stays_plain", process.ContributionRecorded{Contribution: "k", ReceivedAt: end},
			"anna hat einen Beitrag erfasst.", "anna recorded a contribution."},
		{"a_migration_to_an_older_version_says_back",
			process.ProcessMigrated{FromVersion: 2, ToVersion: 1, Stage: "publication"},
			"anna hat das Verfahren von Vorlagenversion 2 zurück auf die ältere Version 1 umgestellt (Phase „publication“).",
			"anna migrated the process from template version 2 back to the older version 1 (stage “publication”)."},
		{"a_skipped_period_names_the_action_the_end_and_the_reason",
			process.PeriodOverridden{Deadline: "publication", LegalBasis: "§ 3 Abs. 2 BauGB", Stage: "publication", Action: "migrate", EndsAt: end, Reason: "Fehler korrigiert"},
			"anna hat die Frist „publication“ (§ 3 Abs. 2 BauGB) nicht eingehalten – auf eine andere Vorlagenversion umgestellt in der Phase „publication“ vor dem Fristende 15.01.2027, 24:00 Uhr. Begründung: Fehler korrigiert",
			"anna did not keep the period “publication” (§ 3 Abs. 2 BauGB) – migrated to another template version in the stage “publication” before the period ended 15 Jan 2027, 24:00. Reason: Fehler korrigiert"},
		{"an_escalation_names_the_period_its_end_and_the_stage_not_left",
			process.EscalationDue{Deadline: "publication", Stage: "publication", After: 3, EndsAt: end, At: end.AddDate(0, 0, 3)},
			"anna: Eskalation – die Frist „publication“ ist seit 3 Tagen abgelaufen (Fristende 15.01.2027, 24:00 Uhr), das Verfahren ist noch in der Phase „publication“.",
			"anna: escalation – the period “publication” ended 3 days ago (15 Jan 2027, 24:00) and the process is still in the stage “publication”."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := audit.Tell("anna", tc.payload, nil)
			if got.De != tc.de || got.En != tc.en {
				t.Errorf("got\n%s\n%s", got.De, got.En)
			}
		})
	}
}
