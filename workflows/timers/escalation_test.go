package timers_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// escalating publishes a version of the template whose comments stage waits for a person
// (no auto_advance) and whose period escalates three days after its end.
func (f *fixture) escalating() {
	tv, err := f.eng.Template(f.ctx, "leipzig:frist", 0)
	if err != nil {
		f.t.Fatal(err)
	}
	v2 := tv.Template
	v2.ID = "frist"
	v2.Stages = append(v2.Stages[:0:0], v2.Stages...)
	v2.Stages[0].AutoAdvance = false
	v2.Deadlines = append(v2.Deadlines[:0:0], v2.Deadlines...)
	v2.Deadlines[0].EscalateDays = 3
	if _, err := f.eng.PublishTemplate(f.ctx, process.Meta{Actor: admin, CommandID: "tpl-escalate"}, v2); err != nil {
		f.t.Fatal(err)
	}
}

// escalations returns the process.escalation_due events of a process.
func (f *fixture) escalations(id uuid.UUID) []process.EscalationDue {
	events, err := f.store.ReadStream(f.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []process.EscalationDue
	for _, ev := range events {
		if p, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data); err == nil {
			if e, ok := p.(process.EscalationDue); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// escalateAt is three days after the end: Thursday 21 January 2027, 24:00 in Berlin.
var escalateAt = end.AddDate(0, 0, 3)

func TestScheduler_escalates_once_when_the_stage_was_not_left_after_the_end(t *testing.T) {
	f := newFixture(t)
	f.escalating()
	id := f.open("Eskalation")
	s := f.scheduler()
	if s.Pending() != 2 {
		t.Fatalf("%d pending, want the end and the escalation", s.Pending())
	}
	for _, tc := range []struct {
		at    time.Time
		fires int
	}{
		{end.Add(time.Second), 1},             // the end: recorded, the process stays (no auto_advance)
		{escalateAt.Add(-time.Minute), 0},     // not yet
		{escalateAt.Add(30 * time.Second), 1}, // the escalation
		{escalateAt.Add(time.Hour), 0},        // once
	} {
		f.clock.Set(tc.at)
		f.fire(s, tc.fires)
	}
	e := f.escalations(id)
	if len(e) != 1 || e[0].Late || e[0].After != 3 || e[0].Stage != "comments" || !e[0].EndsAt.Equal(end) || e[0].Deadline != "comments" {
		t.Fatalf("escalation_due %+v, want one in time for the comments period", e)
	}
	f.restartEngine()
	if again := f.scheduler(); again.Pending() != 0 {
		t.Fatalf("%d pending after a restart, want 0", again.Pending())
	}
}

func TestScheduler_does_not_escalate_when_the_stage_was_left_in_time(t *testing.T) {
	f := newFixture(t)
	f.escalating()
	id := f.open("Rechtzeitig")
	s := f.scheduler()
	f.clock.Set(end.Add(time.Second))
	f.fire(s, 1)
	f.clock.Set(end.AddDate(0, 0, 1))
	f.do(id, engine.Advance{})
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	if s.Pending() != 0 {
		t.Fatalf("%d pending after the stage was left, want 0", s.Pending())
	}
	f.clock.Set(escalateAt.Add(time.Hour))
	f.fire(s, 0)
	// a timer fired by a scheduler that had not seen the advance writes nothing either
	timer := process.Timer{Process: id.String(), Deadline: "comments", At: escalateAt, After: 3, EndsAt: end}
	if _, err := f.eng.Do(f.ctx, process.Meta{Actor: admin, CommandID: timer.ID()}, id, engine.NoExpectation, engine.FireTimer{Timer: timer}); err != nil {
		t.Fatal(err)
	}
	if e := f.escalations(id); len(e) != 0 {
		t.Fatalf("escalation_due %+v, want none", e)
	}
}

func TestScheduler_after_downtime_escalates_once_marked_late(t *testing.T) {
	f := newFixture(t)
	f.escalating()
	id := f.open("Ausfall")
	f.scheduler() // the server went down before the end
	f.clock.Set(escalateAt.Add(5 * time.Hour))
	f.restartEngine()
	s := f.scheduler()
	if s.Overdue() != 2 {
		t.Fatalf("%d overdue, want the end and the escalation", s.Overdue())
	}
	f.fire(s, 2)
	if e := f.escalations(id); len(e) != 1 || !e[0].Late {
		t.Fatalf("escalation_due %+v, want one, late", e)
	}
	if r := f.reached(id); len(r) != 1 || !r[0].Late {
		t.Fatalf("deadline_reached %+v, want one, late", r)
	}
	f.restartEngine()
	again := f.scheduler()
	f.fire(again, 0)
	if again.Pending() != 0 {
		t.Fatalf("%d pending after a restart", again.Pending())
	}
}
