package engine_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

const periodTemplate = `id: fristen-test
title: {de: Fristen, en: Periods}
calendar: DE-NW
dates:
  - key: announced_at
    title: {de: Ortsübliche Bekanntmachung, en: Local announcement}
stages:
  - key: early
    title: {de: Frühzeitige Beteiligung, en: Early participation}
  - key: announcement
    title: {de: Bekanntmachung, en: Announcement}
  - key: publication
    title: {de: Veröffentlichung, en: Publication}
    gates:
      - key: period_over
        title: {de: Veröffentlichungsfrist abgelaufen, en: Publication period over}
        expr: 'deadlines.publication.met && contributions.late_by_stage[?"publication"].orValue(0) >= 0'
  - key: examination
    title: {de: Abwägung, en: Examination}
deadlines:
  - key: notice
    title: {de: Bekanntmachung eine Woche vorher, en: Announced one week ahead}
    stage: publication
    kind: notice
    anchor: {date: announced_at}
    days: 1
    unit: weeks
    legal_basis: "§ 3 Abs. 2 Satz 4 BauGB"
  - key: publication
    title: {de: Veröffentlichungsfrist, en: Publication period}
    stage: publication
    kind: minimum
    days: 30
    on_suspend: pause
    legal_basis: "§ 3 Abs. 2 Satz 1 BauGB"
`

// berlin parses a Berlin wall-clock time.
func berlin(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func periodHarness(t *testing.T) *harness {
	h := newHarness(t)
	tpl, err := templates.Parse([]byte(periodTemplate))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(admin), tpl); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) at(t *testing.T, s string) {
	h.clock.mu.Lock()
	h.clock.now = berlin(t, s)
	h.clock.mu.Unlock()
}

func refusal(t *testing.T, err error, rule string) *process.RefusedError {
	t.Helper()
	var re *process.RefusedError
	if !errors.As(err, &re) || re.Rule != rule {
		t.Fatalf("err = %v, want refusal %s", err, rule)
	}
	return re
}

func TestPeriods_walk_notice_publication_suspension_extension_and_a_late_letter(t *testing.T) {
	h := periodHarness(t)
	h.at(t, "2028-08-21 10:00")
	id := h.open("fristen-test", "Bebauungsplan Nr. 12")
	h.do(lead, id, engine.Advance{})
	h.at(t, "2028-08-25 10:00")
	h.do(lead, id, engine.SetDate{Date: "announced_at", Value: berlin(t, "2028-08-25 10:00")})

	t.Run("refuses_entering_the_publication_before_the_week_of_notice_and_names_its_end", func(t *testing.T) {
		h.at(t, "2028-08-29 10:00")
		_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, engine.Advance{})
		re := refusal(t, err, "period_not_kept")
		msg := strings.Join(re.Reasons, "; ")
		for _, want := range []string{"endet am 01.09.2028, 24:00 Uhr", "ends on 1 Sep 2028, 24:00", "§ 3 Abs. 2 Satz 4 BauGB", "override_reason"} {
			if !strings.Contains(msg, want) {
				t.Errorf("refusal %q lacks %q", msg, want)
			}
		}
		if want := berlin(t, "2028-09-02 00:00"); !re.EarliestAt.Equal(want) {
			t.Errorf("earliest %s, want %s", re.EarliestAt, want)
		}
	})
	h.at(t, "2028-09-03 10:00") // a Sunday: the publication starts, 30 days end on 3 October
	h.do(lead, id, engine.Advance{})

	t.Run("refuses_leaving_the_publication_early_naming_the_end_after_german_unity_day", func(t *testing.T) {
		h.at(t, "2028-09-19 10:00")
		_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, engine.Advance{})
		re := refusal(t, err, "gates_not_met")
		msg := strings.Join(re.Reasons, "; ")
		for _, want := range []string{"endet am 04.10.2028, 24:00 Uhr", "§ 3 Abs. 2 Satz 1 BauGB"} {
			if !strings.Contains(msg, want) {
				t.Errorf("refusal %q lacks %q", msg, want)
			}
		}
		if want := berlin(t, "2028-10-05 00:00"); !re.EarliestAt.Equal(want) {
			t.Errorf("earliest %s, want %s", re.EarliestAt, want)
		}
	})
	t.Run("a_suspension_pauses_the_period_by_the_days_it_lasted", func(t *testing.T) {
		h.at(t, "2028-09-20 10:00")
		h.do(lead, id, engine.Suspend{Reason: "Planänderung geprüft"})
		h.at(t, "2028-09-22 09:00")
		h.do(lead, id, engine.Resume{})
		end := periodEnd(t, h, id, "publication")
		if want := berlin(t, "2028-10-06 00:00"); !end.Equal(want) { // 3 Oct + 2 days = Thu 5 Oct
			t.Errorf("end %s, want %s", end, want)
		}
	})
	t.Run("an_extension_with_reason_and_approver_moves_the_end_off_the_weekend", func(t *testing.T) {
		h.do(lead, id, engine.ExtendDeadline{Deadline: "publication", Days: 3, Reason: "Unterlagen ergänzt", ApprovedBy: "frank"})
		want := berlin(t, "2028-10-10 00:00") // 5 Oct + 3 = Sun 8 Oct → Mon 9 Oct, 24:00
		if end := periodEnd(t, h, id, "publication"); !end.Equal(want) {
			t.Errorf("end %s, want %s", end, want)
		}
		_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, engine.ExtendDeadline{Deadline: "publication", Days: 1, Reason: "x", ApprovedBy: lead.User})
		refusal(t, err, "four_eyes")
	})
	t.Run("a_letter_received_after_the_end_is_kept_and_flagged_late", func(t *testing.T) {
		h.at(t, "2028-10-12 09:00")
		h.do(member, id, engine.RecordContribution{Text: "Einwendung (fristgerecht)", ReceivedAt: berlin(t, "2028-10-09 23:59")})
		h.do(member, id, engine.RecordContribution{Text: "Einwendung (verspätet)", ReceivedAt: berlin(t, "2028-10-10 00:00")})
		p := h.state(id)
		if p.Contributions != 2 || p.Time.Late["publication"] != 1 || p.Time.Contributions["publication"] != 2 {
			t.Errorf("contributions %d, per stage %v, late %v", p.Contributions, p.Time.Contributions, p.Time.Late)
		}
		_, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation, engine.RecordContribution{Text: "x", ReceivedAt: berlin(t, "2028-10-13 09:00")})
		if !errors.Is(err, process.ErrInvalid) {
			t.Errorf("a letter received in the future: %v", err)
		}
	})
	t.Run("advances_once_the_period_is_over", func(t *testing.T) {
		h.do(lead, id, engine.Advance{})
		if p := h.state(id); p.Stage != "examination" || len(p.Time.Overrides) != 0 {
			t.Errorf("stage %s, overrides %v", p.Stage, p.Time.Overrides)
		}
	})
}

func TestPeriods_skipping_a_period_needs_a_reason_and_is_recorded(t *testing.T) {
	h := periodHarness(t)
	h.at(t, "2028-08-21 10:00")
	id := h.open("fristen-test", "Bebauungsplan Nr. 13")
	h.do(lead, id, engine.Advance{})
	h.do(lead, id, engine.SetDate{Date: "announced_at", Value: berlin(t, "2028-08-21 09:00")})
	h.do(lead, id, engine.Advance{OverrideReason: "Eilbedürftig nach Ratsbeschluss"})
	p := h.state(id)
	if p.Stage != "publication" || len(p.Time.Overrides) != 1 {
		t.Fatalf("stage %s, overrides %v", p.Stage, p.Time.Overrides)
	}
	o := p.Time.Overrides[0]
	if o.Deadline != "notice" || o.Action != "advance" || o.Reason != "Eilbedürftig nach Ratsbeschluss" || o.By != lead.User ||
		!o.EndsAt.Equal(berlin(t, "2028-08-29 00:00")) || o.LegalBasis != "§ 3 Abs. 2 Satz 4 BauGB" {
		t.Errorf("override %+v", o)
	}
	t.Run("a_named_date_the_template_does_not_declare_is_refused", func(t *testing.T) {
		_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, engine.SetDate{Date: "announced", Value: berlin(t, "2028-08-21 09:00")})
		if !errors.Is(err, process.ErrInvalid) {
			t.Errorf("err %v", err)
		}
	})
}

func periodEnd(t *testing.T, h *harness, id uuid.UUID, key string) time.Time {
	t.Helper()
	p := h.state(id)
	tv, err := h.engine.Template(h.ctx, p.TemplateID, p.TemplateVersion)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := p.PeriodOf(tv.Template, engine.DefaultCalendars, key, h.clock.Now())
	if !ok {
		t.Fatalf("no period %s", key)
	}
	return s.EndsAt
}
