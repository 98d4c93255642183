package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// processReads counts the reads of process streams, can hold one's answer until released, and
// can answer one append with an error after committing it (an outcome the engine cannot know).
type processReads struct {
	eventstore.Store
	n atomic.Int64

	mu       sync.Mutex
	holdNext chan struct{} // the next process read waits until it is closed; nil: none
	held     chan struct{} // closed when the held read started
	lose     bool          // the next append commits and then reports an error
}

func (s *processReads) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	evs, err := s.Store.ReadStream(ctx, stream, opts)
	if strings.HasPrefix(stream, "process-") {
		s.n.Add(1)
		s.mu.Lock()
		hold, held := s.holdNext, s.held
		s.holdNext = nil
		s.mu.Unlock()
		if hold != nil { // the read is done: its answer is the state before whatever comes now
			close(held)
			<-hold
		}
	}
	return evs, err
}

func (s *processReads) Append(ctx context.Context, stream string, exp eventstore.ExpectedVersion, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, exp, evs...)
	s.mu.Lock()
	lose := s.lose && strings.HasPrefix(stream, "process-")
	if lose {
		s.lose = false
	}
	s.mu.Unlock()
	if err == nil && lose {
		return eventstore.AppendResult{}, errors.New("test: the connection broke after the commit")
	}
	return res, err
}

func soleWriterEngine(t *testing.T, h *harness, sole bool) *processReads {
	t.Helper()
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	reads := &processReads{Store: h.store}
	eng, err := engine.New(engine.Config{Store: reads, Vault: h.store.Vault(), Gates: g, Clock: h.clock.Now, SoleWriter: sole})
	if err != nil {
		t.Fatal(err)
	}
	h.engine = eng // the harness published the seed templates
	return reads
}

// A sole writer takes a process it cached after its own append as it is: the next command does
// not read the stream's tail (issue 16: one store read less per command). Without SoleWriter
// (instances on one PostgreSQL schema) every command reads it.
func TestSoleWriter_commands_skip_the_tail_read_after_their_own_append(t *testing.T) {
	for _, tt := range []struct {
		sole bool
		want int64
	}{{true, 0}, {false, 20}} {
		h := newHarness(t)
		reads := soleWriterEngine(t, h, tt.sole)
		id := h.open("beteiligung-standard", "Radweg")
		h.do(lead, id, &engine.RecordContribution{Topic: "Radweg", Text: "eins"})
		before := reads.n.Load()
		for range 20 {
			h.do(lead, id, &engine.RecordContribution{Topic: "Radweg", Text: "noch eins"})
		}
		if got := reads.n.Load() - before; got != tt.want {
			t.Errorf("SoleWriter %v: 20 commands read the process's stream %d times, want %d", tt.sole, got, tt.want)
		}
		if got := h.state(id).Contributions; got != 21 {
			t.Fatalf("contributions = %d, want 21", got)
		}
	}
}

// A reader that holds a process while a command appends to it (and the command's outcome is
// unknown to the engine, so it caches nothing) puts its older state back as not current: the next
// command reads the tail and decides on the state the store holds.
func TestSoleWriter_a_readers_state_is_not_taken_as_current(t *testing.T) {
	h := newHarness(t)
	reads := soleWriterEngine(t, h, true)
	id := h.open("beteiligung-standard", "Radweg")
	h.do(lead, id, &engine.RecordContribution{Topic: "Radweg", Text: "eins"})
	h.state(id) // a reader puts the process back as not current: the next reader reads the tail
	hold, held := make(chan struct{}), make(chan struct{})
	reads.mu.Lock()
	reads.holdNext, reads.held = hold, held
	reads.mu.Unlock()
	loaded := make(chan int64)
	go func() {
		p, err := h.engine.Load(h.ctx, admin, id)
		if err != nil {
			t.Error(err)
			loaded <- -1
			return
		}
		loaded <- p.Version
	}()
	select { // the reader holds the process at its current version
	case <-held:
	case <-time.After(30 * time.Second):
		close(hold)
		t.Fatal("the second reader did not read the stream's tail: it took the first reader's state as current")
	}
	reads.mu.Lock()
	reads.lose = true
	reads.mu.Unlock()
	_, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, &engine.RecordContribution{Topic: "Radweg", Text: "zwei"})
	if err == nil {
		t.Fatal("the lost answer was not reported")
	}
	close(hold)
	readerVersion := <-loaded
	head, err := h.store.ReadStream(h.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{From: readerVersion + 1})
	if err != nil || len(head) != 1 {
		t.Fatalf("the store holds %d events after the reader's version %d (%v); want the lost command's one", len(head), readerVersion, err)
	}
	// A command that expects the store's version is decided on it, not on the reader's state.
	res, err := h.engine.Do(h.ctx, h.meta(lead), id, head[0].Version, &engine.RecordContribution{Topic: "Radweg", Text: "drei"})
	if err != nil {
		t.Fatalf("a command expecting the store's version %d: %v", head[0].Version, err)
	}
	if res.Version != head[0].Version+1 {
		t.Fatalf("version %d, want %d", res.Version, head[0].Version+1)
	}
	if got := h.state(id).Contributions; got != 3 {
		t.Fatalf("contributions = %d, want 3", got)
	}
}

// tailEvents counts the process events the store returns, and the snapshots saved.
type tailEvents struct {
	eventstore.Store
	events atomic.Int64
}

func (s *tailEvents) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	evs, err := s.Store.ReadStream(ctx, stream, opts)
	if strings.HasPrefix(stream, "process-") {
		s.events.Add(int64(len(evs)))
	}
	return evs, err
}

// SaveSnapshots (serve calls it at a clean stop) snapshots the cached processes that grew by the
// given number of events since their last snapshot: after a restart their first command replays
// nothing instead of up to SnapshotEvery events.
func TestSaveSnapshots_spares_the_replay_after_a_restart(t *testing.T) {
	h := newHarness(t)
	long, short := h.open("beteiligung-standard", "Radweg"), h.open("beteiligung-standard", "Spielplatz")
	for range 120 {
		h.do(lead, long, &engine.RecordContribution{Topic: "Radweg", Text: "noch eins"})
	}
	h.do(lead, short, &engine.RecordContribution{Topic: "Spielplatz", Text: "eins"})
	n, err := h.engine.SaveSnapshots(h.ctx, 50)
	if err != nil || n != 1 {
		t.Fatalf("SaveSnapshots: %d, %v; want the long process's snapshot only", n, err)
	}
	if n, err := h.engine.SaveSnapshots(h.ctx, 50); err != nil || n != 0 {
		t.Fatalf("a second SaveSnapshots saved %d (%v); nothing grew since", n, err)
	}
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	counted := &tailEvents{Store: h.store}
	restarted, err := engine.New(engine.Config{Store: counted, Vault: h.store.Vault(), Gates: g, Clock: h.clock.Now, Snapshots: h.store.Snapshots()})
	if err != nil {
		t.Fatal(err)
	}
	before := counted.events.Load()
	res, err := restarted.Do(h.ctx, h.meta(lead), long, engine.NoExpectation, &engine.RecordContribution{Topic: "Radweg", Text: "nach dem Neustart"})
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot's own event is read to check it against the log; nothing after it.
	if got := counted.events.Load() - before; got != 1 {
		t.Fatalf("the first command after the restart read %d process events, want 1 (the snapshot's event)", got)
	}
	p, err := restarted.Load(h.ctx, admin, long)
	if err != nil {
		t.Fatal(err)
	}
	if p.Contributions != 121 || p.Version != res.Version {
		t.Fatalf("after the restart: %d contributions at version %d, want 121 at %d", p.Contributions, p.Version, res.Version)
	}
}
