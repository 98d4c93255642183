package process_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// periodsTpl is tpl with a maximum period on tender, a response period on execution and a
// documenting old-form deadline; periods count without holidays here (no calendars).
func periodsTpl() template.Template {
	t := tpl
	t.Deadlines = []template.Deadline{
		{Key: "decide", Title: template.Text{De: "Höchstdauer", En: "Longest"}, Stage: "tender", Kind: template.KindMaximum, Days: 10},
		{Key: "answers", Title: template.Text{De: "Antworten", En: "Answers"}, Stage: "execution", Kind: template.KindResponse, Days: 7},
		{Key: "old", Title: template.Text{De: "Alt", En: "Old"}, Stage: "tender", MinDays: 30},
	}
	return t
}

func at(day int) process.Meta {
	return process.Meta{Actor: lead, CommandID: uuid.NewString(), Now: now.AddDate(0, 0, day)}
}

func TestPeriods_kinds_say_when_they_are_met(t *testing.T) {
	tp := periodsTpl()
	state := func(p *process.Process, key string, day int) process.PeriodState {
		s, ok := p.PeriodOf(tp, nil, key, now.AddDate(0, 0, day))
		if !ok {
			t.Fatalf("no period %s", key)
		}
		return s
	}
	// opened Saturday 1 March 2025: 10 days end on Tuesday 11 March, 24:00 in Berlin
	t.Run("a_maximum_period_is_met_while_it_runs_and_missed_after_its_end", func(t *testing.T) {
		p := opened(t)
		if s := state(p, "decide", 5); !s.Met || s.Ended || !s.EndsAt.Equal(time.Date(2025, 3, 11, 23, 0, 0, 0, time.UTC)) {
			t.Errorf("day 5: %+v", s)
		}
		if s := state(p, "decide", 12); s.Met || !s.Ended {
			t.Errorf("day 12, stage not left: met %v", s.Met)
		}
	})
	t.Run("a_maximum_period_left_in_time_stays_met", func(t *testing.T) {
		p := ready(t)
		if err := p.Advance(at(3), tp, gates); err != nil {
			t.Fatal(err)
		}
		if s := state(p, "decide", 20); !s.Met {
			t.Errorf("left on day 3, day 20: %+v", s)
		}
	})
	t.Run("a_maximum_period_blocks_nothing", func(t *testing.T) {
		p := ready(t)
		if err := p.Advance(at(40), tp, gates); err != nil {
			t.Errorf("advance after a missed maximum: %v", err)
		}
	})
	t.Run("an_old_min_days_deadline_documents_but_does_not_block", func(t *testing.T) {
		p := ready(t)
		if s := state(p, "old", 1); s.Enforced || s.Met {
			t.Errorf("old form: %+v", s)
		}
		if err := p.Advance(at(1), tp, gates); err != nil {
			t.Errorf("advance before 30 days: %v", err)
		}
	})
	t.Run("a_response_period_makes_later_letters_late_but_blocks_nothing", func(t *testing.T) {
		p := ready(t)
		if err := p.Advance(at(1), tp, gates); err != nil {
			t.Fatal(err)
		}
		for i, received := range []int{5, 10} {
			c := process.ContributionRecorded{Contribution: "c" + string(rune('1'+i)), PlainText: "Brief", ReceivedAt: now.AddDate(0, 0, received)}
			if err := p.RecordReceivedContribution(at(12), tp, c); err != nil {
				t.Fatal(err)
			}
		}
		if p.Time.Late["execution"] != 1 || p.Time.Contributions["execution"] != 2 {
			t.Errorf("late %v of %v", p.Time.Late, p.Time.Contributions)
		}
	})
}
