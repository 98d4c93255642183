package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// tasks completes the tasks of the current stage.
func (h *harness) tasks(id uuid.UUID, keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.do(member, id, engine.CompleteTask{Task: k, Evidence: "Akte " + k})
	}
}

// refused runs cmd, expects a refusal by rule and returns its reasons joined and its earliest instant.
func (h *harness) refused(t *testing.T, id uuid.UUID, rule string, cmd engine.Command) (string, time.Time) {
	t.Helper()
	_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, cmd)
	re := refusal(t, err, rule)
	return strings.Join(re.Reasons, "; "), re.EarliestAt
}

// refusedUntil expects an advance refused by rule whose reasons name want and whose earliest
// instant is at (Berlin time).
func (h *harness) refusedUntil(t *testing.T, id uuid.UUID, rule, at string, want ...string) {
	t.Helper()
	msg, earliest := h.refused(t, id, rule, engine.Advance{})
	contains(t, msg, want...)
	if !earliest.Equal(berlin(t, at)) {
		t.Errorf("earliest %s, want %s", earliest, at)
	}
}

// earlyParticipation holds the hearing, completes the early participation and the draft's tasks.
func (h *harness) earlyParticipation(t *testing.T, id uuid.UUID) {
	t.Helper()
	h.do(member, id, engine.ScheduleSession{Session: "e1", Title: "Erörterung", Format: "public_hearing", Date: h.clock.Now(), Place: "Rathaus"})
	h.do(member, id, engine.HoldSession{Session: "e1", Attendance: 40})
	h.tasks(id, "inform_public", "inform_authorities", "document_early_comments")
	h.do(lead, id, engine.Advance{})
	h.tasks(id, "prepare_draft", "publication_resolution", "announce")
}

func contains(t *testing.T, msg string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

// TestBauleitplanung walks every rule of the land-use planning template in Saxony with a
// controlled clock: the week of notice, the publication of one month and 30 days over 3 October,
// the authorities' period, a suspension, an extension onto a Sunday, a late letter, a
// republication over Reformation Day and the council's resolution.
func TestBauleitplanung_walks_every_period_of_the_template(t *testing.T) {
	h := newHarness(t)
	h.at(t, "2028-08-01 09:00")
	id := h.open("bauleitplanung", "Bebauungsplan Nr. 71 „Wohnen am Elsterbecken“")
	h.do(member, id, engine.RegisterParticipant{Participant: "toeb1", Group: "authorities", Name: "Landratsamt"})
	h.earlyParticipation(t, id)
	t.Run("the_draft_waits_for_the_date_of_the_announcement", func(t *testing.T) {
		msg, _ := h.refused(t, id, "gates_not_met", engine.Advance{})
		contains(t, msg, "Datum der Bekanntmachung erfasst")
	})
	h.at(t, "2028-08-25 10:00")
	h.do(lead, id, engine.SetDate{Date: "announced_at", Value: berlin(t, "2028-08-25 07:00"), Note: "Leipziger Amtsblatt Nr. 16"})
	t.Run("an_early_advance_names_the_end_of_the_week_of_notice", func(t *testing.T) {
		h.at(t, "2028-08-30 10:00")
		h.refusedUntil(t, id, "period_not_kept", "2028-09-02 00:00", "endet am 01.09.2028, 24:00 Uhr", "§ 3 Abs. 2 BauGB")
	})
	h.at(t, "2028-09-03 09:00") // a Sunday: one month and 30 days both end on 3 October
	h.do(lead, id, engine.Advance{})
	h.tasks(id, "publish_online", "involve_authorities")
	t.Run("an_early_advance_from_the_publication_names_the_day_after_german_unity_day", func(t *testing.T) {
		h.at(t, "2028-09-20 09:00")
		h.refusedUntil(t, id, "gates_not_met", "2028-10-05 00:00", "endet am 04.10.2028, 24:00 Uhr", "§ 4 Abs. 2 BauGB")
	})
	t.Run("a_suspension_of_three_days_pauses_the_publication_but_not_the_authorities", func(t *testing.T) {
		h.at(t, "2028-09-20 10:00")
		h.do(lead, id, engine.Suspend{Reason: "Internetseite der Stadt ausgefallen"})
		h.at(t, "2028-09-23 09:00")
		h.do(lead, id, engine.Resume{})
		for key, want := range map[string]string{"publication_30_days": "2028-10-07 00:00", "publication_month": "2028-10-07 00:00", "authorities_comments": "2028-10-05 00:00"} {
			if end := periodEnd(t, h, id, key); !end.Equal(berlin(t, want)) {
				t.Errorf("%s ends %s, want %s", key, end, want)
			}
		}
	})
	t.Run("an_extension_onto_a_saturday_moves_to_monday", func(t *testing.T) {
		h.do(lead, id, engine.ExtendDeadline{Deadline: "publication_30_days", Days: 1, Reason: "Planunterlage zwei Tage nicht abrufbar", ApprovedBy: "frank"})
		if end := periodEnd(t, h, id, "publication_30_days"); !end.Equal(berlin(t, "2028-10-10 00:00")) {
			t.Errorf("end %s", end)
		}
		h.at(t, "2028-10-06 10:00")
		msg, _ := h.refused(t, id, "period_not_kept", engine.Advance{})
		contains(t, msg, "endet am 09.10.2028, 24:00 Uhr", "Veröffentlichung mindestens 30 Tage")
	})
	t.Run("a_letter_received_after_the_end_is_kept_and_flagged_late", func(t *testing.T) {
		h.at(t, "2028-10-10 11:00")
		h.do(member, id, engine.RecordContribution{Text: "Einwendung Lärmschutz", ReceivedAt: berlin(t, "2028-10-09 18:00")})
		h.do(member, id, engine.RecordContribution{Text: "Einwendung Baumbestand", ReceivedAt: berlin(t, "2028-10-10 08:30")})
		p := h.state(id)
		if p.Contributions != 2 || p.Time.Late["publication"] != 1 {
			t.Errorf("contributions %d, late %v", p.Contributions, p.Time.Late)
		}
	})
	h.do(lead, id, engine.Advance{})
	h.tasks(id, "examine_comments", "communicate_result")
	h.do(lead, id, engine.Advance{})
	h.tasks(id, "decide_republication", "republish")
	h.at(t, "2028-10-17 10:00")
	h.do(lead, id, engine.SetDate{Date: "republished_at", Value: berlin(t, "2028-10-17 10:00"), Note: "Frist auf 14 Tage verkürzt: nur Festsetzung zur Dachbegrünung geändert"})
	t.Run("the_republication_ends_after_reformation_day_in_saxony", func(t *testing.T) {
		h.at(t, "2028-10-25 10:00")
		h.refusedUntil(t, id, "gates_not_met", "2028-11-02 00:00", "endet am 01.11.2028, 24:00 Uhr", "§ 4a Abs. 3 BauGB")
	})
	h.at(t, "2028-11-02 09:00")
	h.do(lead, id, engine.Advance{})
	t.Run("the_council_decision_needs_a_council_resolution", func(t *testing.T) {
		h.tasks(id, "council_resolution")
		h.do(lead, id, engine.RecordDecision{Subject: "Vorberatung", Model: "majority", Outcome: "empfohlen"})
		msg, _ := h.refused(t, id, "gates_not_met", engine.Advance{})
		contains(t, msg, "Ratsbeschluss gefasst")
		h.do(lead, id, engine.RecordDecision{Subject: "Satzungsbeschluss", Model: "council_resolution", Outcome: "beschlossen"})
		h.do(lead, id, engine.Advance{})
	})
	h.tasks(id, "announce_in_force")
	h.do(lead, id, engine.Complete{})
	if p := h.state(id); p.Status != process.StatusCompleted || len(p.Time.Overrides) != 0 {
		t.Errorf("status %s, overrides %v", p.Status, p.Time.Overrides)
	}
}

func TestBauleitplanung_a_migration_out_of_a_running_publication_needs_an_override(t *testing.T) {
	h := newHarness(t)
	tv, err := h.engine.Template(h.ctx, "bauleitplanung", 0)
	if err != nil {
		t.Fatal(err)
	}
	v2 := tv.Template
	v2.Description.De += " (Fassung 2)"
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), v2); err != nil {
		t.Fatal(err)
	}
	h.at(t, "2028-08-01 09:00")
	id := h.open("bauleitplanung", "Bebauungsplan Nr. 72")
	h.earlyParticipation(t, id)
	h.do(lead, id, engine.SetDate{Date: "announced_at", Value: berlin(t, "2028-08-01 07:00")})
	h.at(t, "2028-08-09 09:00")
	h.do(lead, id, engine.Advance{})
	h.at(t, "2028-08-20 09:00")
	back := engine.Migrate{ToVersion: 1, StageMapping: map[string]string{"publication": "examination"}, Reason: "Fassung 2 zurückgezogen"}
	t.Run("refused_without_a_reason_naming_both_publication_periods", func(t *testing.T) {
		_, err := h.engine.Do(h.ctx, h.meta(admin), id, engine.NoExpectation, back)
		re := refusal(t, err, "period_not_kept")
		contains(t, strings.Join(re.Reasons, "; "), "Veröffentlichung für die Dauer eines Monats", "Veröffentlichung mindestens 30 Tage", "endet am 08.09.2028, 24:00 Uhr")
	})
	t.Run("with_a_reason_the_jump_backwards_and_each_skipped_period_are_recorded", func(t *testing.T) {
		back.OverrideReason = "Aufsichtsbehörde hat die Veröffentlichung beanstandet; sie wird wiederholt"
		h.do(admin, id, back)
		p := h.state(id)
		if p.Stage != "examination" || p.TemplateVersion != 1 || len(p.Time.Overrides) != 2 {
			t.Fatalf("stage %s, version %d, overrides %+v", p.Stage, p.TemplateVersion, p.Time.Overrides)
		}
		for _, o := range p.Time.Overrides {
			if o.Action != "migrate" || o.Reason != back.OverrideReason || o.Stage != "publication" || o.By != admin.User {
				t.Errorf("override %+v", o)
			}
		}
	})
}
