package processlist_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/demo"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// settable is a clock the demo loader advances.
type settable struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settable) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *settable) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// demoStore is a store holding the demo (about 1,200 events in ~40 processes) and its engine.
func demoStore(t *testing.T) (*sqlite.Store, *engine.Engine) {
	t.Helper()
	clock := &settable{t: time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, eng, clock.Now, clock.Advance); err != nil {
		t.Fatal(err)
	}
	return store, eng
}

// feed applies every event of the log after the list's position.
func feed(t *testing.T, l *processlist.List, s eventstore.Store) {
	t.Helper()
	after := l.Position()
	for {
		page, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{After: after, Filter: eventstore.Filter{StreamPrefixes: []string{"process-"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			l.Apply(e)
		}
		if len(page) < eventstore.DefaultReadAllLimit {
			return
		}
		after = page[len(page)-1].Position
	}
}

// dump is everything a list answers: every process's summary, the counts and the stays.
func dump(t *testing.T, l *processlist.List) string {
	t.Helper()
	page, err := l.Query(processlist.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var stays []string
	l.EachStay(func(template, stage string, d time.Duration) { stays = append(stays, fmt.Sprint(template, stage, d)) })
	slices.Sort(stays)
	counts := map[string]int{}
	for g, n := range l.Counts() {
		counts[fmt.Sprint(g)] = n
	}
	b, err := json.Marshal(map[string]any{"items": page.Items, "position": page.Position, "stays": stays, "counts": counts})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSnapshot_restore_and_the_rest_of_the_log_equal_a_replay_from_the_start(t *testing.T) {
	store, eng := demoStore(t)
	ctx := context.Background()
	first := processlist.New()
	feed(t, first, store)
	if err := first.Save(ctx, store.Snapshots()); err != nil {
		t.Fatal(err)
	}
	// The log goes on after the snapshot.
	lead := process.Meta{Actor: process.Actor{User: "anna", Role: "lead", Tenant: "leipzig"}}
	opened, err := eng.Open(ctx, lead, engine.OpenProcess{Template: "beteiligung-standard", Title: "Nach dem Schnappschuss"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Do(ctx, lead, opened.Process, engine.NoExpectation, &engine.Suspend{Reason: "Sommerpause"}); err != nil {
		t.Fatal(err)
	}
	full := processlist.New()
	feed(t, full, store)
	restored := processlist.New()
	n, err := restored.Restore(ctx, store.Snapshots(), store)
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("restored %d processes, want the demo's", n)
	}
	if restored.Position() != first.Position() {
		t.Fatalf("restored at %s, saved at %s", restored.Position(), first.Position())
	}
	// The rest in pages of 100 (the demo has about 1,200 events), as serve applies it at start.
	applied, err := restored.ApplyLog(ctx, store, 100)
	if err != nil {
		t.Fatal(err)
	}
	if applied < 2 {
		t.Fatalf("applied %d events after the snapshot, want the two written after it", applied)
	}
	if got, want := dump(t, restored), dump(t, full); got != want {
		t.Fatalf("restored list differs from a replay from the start:\n got %s\nwant %s", got, want)
	}
}

func TestApplyLog_in_pages_equals_a_replay_event_by_event(t *testing.T) {
	store, _ := demoStore(t)
	full := processlist.New()
	feed(t, full, store)
	paged := processlist.New()
	n, err := paged.ApplyLog(context.Background(), store, 100)
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Fatalf("applied %d events, want the demo's ~1,200", n)
	}
	if paged.Position() != full.Position() {
		t.Fatalf("at %s after ApplyLog, %s after a replay", paged.Position(), full.Position())
	}
	if got, want := dump(t, paged), dump(t, full); got != want {
		t.Fatalf("the list applied in pages differs:\n got %s\nwant %s", got, want)
	}
}

// wrapped changes what a snapshot store returns, as a changed database would.
type wrapped struct {
	eventstore.SnapshotStore
	change func(*eventstore.Snapshot)
	saves  int
}

func (w *wrapped) Load(ctx context.Context, stream string) (eventstore.Snapshot, bool, error) {
	s, ok, err := w.SnapshotStore.Load(ctx, stream)
	if ok && w.change != nil {
		w.change(&s)
	}
	return s, ok, err
}

func (w *wrapped) Save(ctx context.Context, stream string, s eventstore.Snapshot) error {
	w.saves++
	return w.SnapshotStore.Save(ctx, stream, s)
}

func TestSnapshot_that_does_not_meet_the_log_is_ignored(t *testing.T) {
	store, _ := demoStore(t)
	ctx := context.Background()
	l := processlist.New()
	feed(t, l, store)
	if err := l.Save(ctx, store.Snapshots()); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*eventstore.Snapshot){
		"another_chain_hash": func(s *eventstore.Snapshot) { s.EventHash[0] ^= 1 },
		"another_schema":     func(s *eventstore.Snapshot) { s.Schema++ },
	} {
		t.Run(name, func(t *testing.T) {
			fresh := processlist.New()
			n, err := fresh.Restore(ctx, &wrapped{SnapshotStore: store.Snapshots(), change: change}, store)
			if err != nil || n != 0 || !fresh.Position().IsZero() {
				t.Fatalf("Restore = %d, %v at %s; want nothing restored", n, err, fresh.Position())
			}
		})
	}
	t.Run("damaged_data_is_an_error_and_restores_nothing", func(t *testing.T) {
		fresh := processlist.New()
		_, err := fresh.Restore(ctx, &wrapped{SnapshotStore: store.Snapshots(), change: func(s *eventstore.Snapshot) { s.Data = s.Data[:len(s.Data)/2] }}, store)
		if err == nil || !fresh.Position().IsZero() {
			t.Fatalf("Restore of a cut snapshot: %v at %s", err, fresh.Position())
		}
	})
}

func TestSave_writes_nothing_when_nothing_was_applied_since(t *testing.T) {
	store, _ := demoStore(t)
	ctx := context.Background()
	w := &wrapped{SnapshotStore: store.Snapshots()}
	empty := processlist.New()
	if err := empty.Save(ctx, w); err != nil || w.saves != 0 {
		t.Fatalf("an empty list saved %d times (%v)", w.saves, err)
	}
	l := processlist.New()
	feed(t, l, store)
	for range 2 {
		if err := l.Save(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if w.saves != 1 {
		t.Fatalf("saved %d times, want once", w.saves)
	}
}
