package timers_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
	"github.com/civicflow/civicflow/workflows/timers"
)

const tpl = `id: frist
title: {de: Frist, en: Period}
calendar: DE-NW
stages:
  - key: comments
    title: {de: Stellungnahmen, en: Comments}
    auto_advance: true
  - key: decision
    title: {de: Entscheidung, en: Decision}
deadlines:
  - key: comments
    title: {de: Frist für Stellungnahmen, en: Period for comments}
    stage: comments
    kind: minimum
    days: 14
    legal_basis: "Satzung § 4"
`

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

var (
	admin = process.Actor{User: "ines", Tenant: "leipzig", Role: "administrator"}
	lead  = process.Actor{User: "anna", Tenant: "leipzig", Role: "lead"}
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *clock
	store *sqlite.Store
	eng   *engine.Engine
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, ctx: context.Background(), clock: &clock{now: time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)}}
	var err error
	f.store, err = sqlite.New(f.ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	f.restartEngine()
	parsed, err := templates.Parse([]byte(tpl))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.PublishTemplate(f.ctx, process.Meta{Actor: admin, CommandID: "tpl"}, parsed); err != nil {
		t.Fatal(err)
	}
	return f
}

// restartEngine starts a new engine on the store, as a restarted server does.
func (f *fixture) restartEngine() {
	g, err := gate.New()
	if err != nil {
		f.t.Fatal(err)
	}
	f.eng, err = engine.New(engine.Config{Store: f.store, Vault: f.store.Vault(), Gates: g, Clock: f.clock.Now})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) scheduler() *timers.Scheduler {
	s, err := timers.New(timers.Config{Engine: f.eng, Store: f.store, Clock: f.clock.Now})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := s.Load(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) open(title string) uuid.UUID {
	res, err := f.eng.Open(f.ctx, process.Meta{Actor: lead, CommandID: "open/" + title}, engine.OpenProcess{Template: "frist", Title: title})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Process
}

func (f *fixture) do(id uuid.UUID, cmd engine.Command) {
	f.t.Helper()
	if _, err := f.eng.Do(f.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, id, engine.NoExpectation, cmd); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) fire(s *timers.Scheduler, want int) {
	f.t.Helper()
	n, err := s.FireDue(f.ctx)
	if err != nil || n != want {
		f.t.Fatalf("fired %d (%v), want %d", n, err, want)
	}
}

// reached returns the process.deadline_reached events of a process.
func (f *fixture) reached(id uuid.UUID) []process.DeadlineReached {
	events, err := f.store.ReadStream(f.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []process.DeadlineReached
	for _, ev := range events {
		if p, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data); err == nil {
			if r, ok := p.(process.DeadlineReached); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

func (f *fixture) state(id uuid.UUID) *process.Process {
	p, err := f.eng.Load(f.ctx, admin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// end of the 14-day period opened on Monday 4 January 2027: Monday 18 January, 24:00 in Berlin.
var end = time.Date(2027, 1, 18, 23, 0, 0, 0, time.UTC)

func TestScheduler_fires_a_period_end_once_at_its_time_and_auto_advances(t *testing.T) {
	f := newFixture(t)
	id := f.open("Satzung")
	s := f.scheduler()
	if s.Pending() != 1 {
		t.Fatalf("%d pending timers, want 1", s.Pending())
	}
	if next, _ := s.Next(); !next.Equal(end) {
		t.Fatalf("next timer at %s, want %s", next, end)
	}
	f.clock.Set(end.Add(-time.Second))
	f.fire(s, 0)
	f.clock.Set(end.Add(2 * time.Second))
	f.fire(s, 1)
	f.fire(s, 0)
	p := f.state(id)
	if p.Stage != "decision" || p.Timeline[0].How != "completed" {
		t.Fatalf("stage %s, timeline %+v", p.Stage, p.Timeline)
	}
	if r := f.reached(id); len(r) != 1 || r[0].Late || !r[0].EndsAt.Equal(end) {
		t.Fatalf("deadline_reached %+v", r)
	}
	if s.Pending() != 0 {
		t.Fatalf("%d pending after firing", s.Pending())
	}
}

func TestScheduler_after_downtime_fires_each_due_timer_once_marked_late(t *testing.T) {
	f := newFixture(t)
	a, b := f.open("A"), f.open("B")
	f.scheduler() // the scheduler knew both timers, then the server went down
	f.clock.Set(end.Add(3 * time.Hour))
	f.restartEngine()
	s := f.scheduler()
	if s.Overdue() != 2 {
		t.Fatalf("%d overdue, want 2", s.Overdue())
	}
	f.fire(s, 2)
	for _, id := range []uuid.UUID{a, b} {
		if r := f.reached(id); len(r) != 1 || !r[0].Late {
			t.Fatalf("%s: deadline_reached %+v, want one, late", id, r)
		}
	}
	f.restartEngine()
	again := f.scheduler()
	if again.Pending() != 0 {
		t.Fatalf("after a restart %d timers pending, want 0", again.Pending())
	}
	f.fire(again, 0)
}

func TestScheduler_a_timer_fired_before_a_crash_does_not_fire_again(t *testing.T) {
	f := newFixture(t)
	id := f.open("C")
	timer := process.Timer{Process: id.String(), Deadline: "comments", At: end}
	f.clock.Set(end.Add(time.Minute / 2))
	// the scheduler issued the command, the server died before the scheduler saw the answer
	if _, err := f.eng.Do(f.ctx, process.Meta{Actor: admin, CommandID: timer.ID()}, id, engine.NoExpectation, engine.FireTimer{Timer: timer}); err != nil {
		t.Fatal(err)
	}
	f.restartEngine()
	res, err := f.eng.Do(f.ctx, process.Meta{Actor: admin, CommandID: timer.ID()}, id, engine.NoExpectation, engine.FireTimer{Timer: timer})
	if err != nil || !res.Duplicate {
		t.Fatalf("the same timer again: %+v, %v; want a duplicate", res, err)
	}
	s := f.scheduler()
	f.fire(s, 0)
	if r := f.reached(id); len(r) != 1 || r[0].Late {
		t.Fatalf("deadline_reached %+v, want one in time", r)
	}
}

func TestScheduler_follows_extensions_and_suspensions(t *testing.T) {
	f := newFixture(t)
	id := f.open("D")
	s := f.scheduler()
	f.do(id, engine.ExtendDeadline{Deadline: "comments", Days: 2, Reason: "Feiertagsregelung", ApprovedBy: "frank"})
	f.do(id, engine.Suspend{Reason: "Klärung"})
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	if s.Pending() != 0 {
		t.Fatalf("%d timers of a suspended process", s.Pending())
	}
	f.do(id, engine.Resume{})
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 1, 20, 23, 0, 0, 0, time.UTC) // 18 + 2 days: Wednesday 20 January, 24:00
	if next, ok := s.Next(); !ok || !next.Equal(want) || s.Pending() != 1 {
		t.Fatalf("next %s (%v), pending %d; want %s", next, ok, s.Pending(), want)
	}
	f.clock.Set(end.Add(time.Hour)) // the old end passes: nothing fires
	f.fire(s, 0)
	f.clock.Set(want)
	f.fire(s, 1)
}

func TestScheduler_fires_reminders_before_the_end_once_each(t *testing.T) {
	f := newFixture(t)
	tv, err := f.eng.Template(f.ctx, "leipzig:frist", 0)
	if err != nil {
		t.Fatal(err)
	}
	v2 := tv.Template
	v2.ID = "frist" // published into the administrator's tenant again
	v2.Deadlines = append([]template.Deadline(nil), v2.Deadlines...)
	v2.Deadlines[0].RemindDays = []int{7, 1}
	if _, err := f.eng.PublishTemplate(f.ctx, process.Meta{Actor: admin, CommandID: "tpl2"}, v2); err != nil {
		t.Fatal(err)
	}
	id := f.open("E")
	s := f.scheduler()
	if s.Pending() != 3 {
		t.Fatalf("%d pending, want the end and two reminders", s.Pending())
	}
	for _, tc := range []struct {
		at    time.Time
		fires int
	}{
		{end.AddDate(0, 0, -7).Add(-time.Minute), 0},
		{end.AddDate(0, 0, -7), 1},
		{end.AddDate(0, 0, -1).Add(time.Hour), 1},
		{end.Add(time.Second), 1},
	} {
		f.clock.Set(tc.at)
		f.fire(s, tc.fires)
	}
	events, _ := f.store.ReadStream(f.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
	var befores []int
	for _, ev := range events {
		if p, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data); err == nil {
			if r, ok := p.(process.ReminderDue); ok {
				befores = append(befores, r.Before)
				if !r.EndsAt.Equal(end) {
					t.Errorf("reminder %+v", r)
				}
			}
		}
	}
	if len(befores) != 2 || befores[0] != 7 || befores[1] != 1 {
		t.Fatalf("reminders %v, want 7 and 1 days before", befores)
	}
	f.restartEngine()
	if again := f.scheduler(); again.Pending() != 0 {
		t.Fatalf("%d pending after a restart", again.Pending())
	}
}

// afterRecorder is the store, recording where each ReadAll starts.
type afterRecorder struct {
	*sqlite.Store
	mu     sync.Mutex
	afters []eventstore.Position
}

func (r *afterRecorder) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.Event, error) {
	r.mu.Lock()
	r.afters = append(r.afters, opts.After)
	r.mu.Unlock()
	return r.Store.ReadAll(ctx, opts)
}

func (r *afterRecorder) last() eventstore.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.afters[len(r.afters)-1]
}

// The scheduler reads only timer events, but its position moves past the other events up to the
// log's head: a refresh after many contributions does not read again from the last timer event
// (issue 16: each refresh scanned the whole tail of the log).
func TestScheduler_refresh_moves_past_events_it_does_not_follow(t *testing.T) {
	f := newFixture(t)
	id := f.open("Lindenauer Markt")
	rec := &afterRecorder{Store: f.store}
	s, err := timers.New(timers.Config{Engine: f.eng, Store: rec, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(f.ctx); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		f.do(id, engine.RecordContribution{Text: "Mehr Bäume"})
	}
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	head, err := f.store.Head(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(); got != head {
		t.Errorf("the refresh after the contributions read after %s, want the head %s", got, head)
	}
	// A timer event after them is still read: the extension moves the period's end.
	f.do(id, engine.ExtendDeadline{Deadline: "comments", Days: 2, Reason: "Ferien", ApprovedBy: "frank"})
	if err := s.Refresh(f.ctx); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 1, 20, 23, 0, 0, 0, time.UTC) // 18 + 2 days
	if next, ok := s.Next(); !ok || !next.Equal(want) {
		t.Errorf("next timer %s (%v), want %s once the period is extended", next, ok, want)
	}
}
