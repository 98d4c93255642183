package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// newArchivingEngine starts an engine on the harness's store that archives a past state every
// `every` versions.
func newArchivingEngine(t testing.TB, h *harness, every int64) *engine.Engine {
	t.Helper()
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: h.store, Vault: h.store.Vault(), Gates: g, Clock: h.clock.Now,
		Snapshots: h.store.Snapshots(), Archive: h.store.Archive(), ArchiveEvery: every})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// replayed is a recorded history and, for each version v, the state after its first v events
// replayed from the first event (encoded without the handled command IDs; states[0] is none).
type replayed struct {
	id     uuid.UUID
	events []eventstore.Event
	states [][]byte
}

// replayAll replays the history once, keeping the state after every event.
func replayAll(t *testing.T, id uuid.UUID, events []eventstore.Event) replayed {
	t.Helper()
	r := replayed{id: id, events: events, states: make([][]byte, len(events)+1)}
	p := process.New(id)
	for i, ev := range events {
		payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		p.Apply(process.Recorded{Payload: payload, Version: ev.Version, CommandID: ev.Metadata.CommandID, At: ev.RecordedAt})
		if r.states[i+1], err = p.MarshalPast(); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// versionAt is the version a full replay reaches at an instant: it stops at the first event
// recorded after it.
func (r replayed) versionAt(at time.Time) int {
	for i, ev := range r.events {
		if ev.RecordedAt.After(at) {
			return i
		}
	}
	return len(r.events)
}

// sameState fails unless got encodes like the full replay's state at version v.
func (r replayed) sameState(t *testing.T, what string, got *process.Process, v int) {
	t.Helper()
	g, err := got.MarshalPast()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, r.states[v]) {
		t.Fatalf("%s: the archived past state differs from a full replay\n got %s\nwant %s", what, g, r.states[v])
	}
}

// recordHistory runs the standard template to completion on a ticking clock, by an engine that
// archives past states while it records (or not), and returns the process's history replayed.
func recordHistory(t *testing.T, archiving bool, every int64) (*harness, replayed) {
	h := newHarness(t)
	h.clock.tick = time.Millisecond
	if archiving {
		h.engine = newArchivingEngine(t, h, every)
	}
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := runToCompletion(t, h, tv.Template)
	return h, replayAll(t, id, events(t, h, id))
}

func TestPastState_equals_a_full_replay_at_every_version_and_at_random_instants(t *testing.T) {
	cases := []struct {
		archiving bool
		every     int64
	}{{true, 3}, {false, 7}}
	for _, c := range cases {
		name := fmt.Sprintf("archived_every_%d_versions_by_the_recording_engine", c.every)
		if !c.archiving {
			name = fmt.Sprintf("archived_every_%d_versions_by_the_first_past_state_of_an_old_history", c.every)
		}
		t.Run(name, func(t *testing.T) {
			h, r := recordHistory(t, c.archiving, c.every)
			// A fresh engine, so that the past states come from the archive, not from a cache;
			// the latest version first, so that an old history is archived by that query.
			fresh := newArchivingEngine(t, h, c.every)
			for i := len(r.events) - 1; i >= 0; i-- {
				r.pastVersion(t, h, fresh, r.events[i])
			}
			r.pastInstants(t, h, fresh, 300, uint64(c.every))
		})
	}
}

// pastVersion checks the state at ev's version against the full replay.
func (r replayed) pastVersion(t *testing.T, h *harness, eng *engine.Engine, ev eventstore.Event) {
	t.Helper()
	got, asOf, err := eng.PastState(h.ctx, auditor, r.id, engine.Past{Version: ev.Version})
	if err != nil {
		t.Fatalf("version %d: %v", ev.Version, err)
	}
	r.sameState(t, fmt.Sprint("version ", ev.Version), got, int(ev.Version))
	if got.Version != ev.Version || !asOf.Equal(ev.RecordedAt) {
		t.Fatalf("version %d: got version %d as of %s, want as of %s", ev.Version, got.Version, asOf, ev.RecordedAt)
	}
}

// pastInstants checks the states at n random instants (a third of them exactly an event's
// recorded time or a nanosecond before) against the full replay.
func (r replayed) pastInstants(t *testing.T, h *harness, eng *engine.Engine, n int, seed uint64) {
	t.Helper()
	first, last := r.events[0].RecordedAt, r.events[len(r.events)-1].RecordedAt
	rng := rand.New(rand.NewPCG(1, seed))
	for i := range n {
		at := first.Add(time.Duration(rng.Int64N(int64(last.Sub(first)) + 1)))
		if i%3 == 0 {
			at = r.events[rng.IntN(len(r.events))].RecordedAt.Add(-time.Duration(i % 2))
		}
		got, asOf, err := eng.PastState(h.ctx, auditor, r.id, engine.Past{At: at})
		want := r.versionAt(at)
		if want == 0 && errors.Is(err, process.ErrNotFound) {
			continue // before the process was opened
		}
		if err != nil {
			t.Fatalf("at %s: %v", at, err)
		}
		r.sameState(t, "at "+at.String(), got, want)
		if !asOf.Equal(at) {
			t.Fatalf("at %s: as of %s", at, asOf)
		}
	}
}

func TestPastState_ignores_an_archived_snapshot_that_does_not_meet_the_log(t *testing.T) {
	h, r := recordHistory(t, true, 1000)
	cases := []struct {
		name    string
		version int64
		forge   func(s *eventstore.Snapshot) // the snapshot of the true state, made not to meet the log
	}{
		{"another_chain_hash", 20, func(s *eventstore.Snapshot) { s.EventHash = r.events[0].Hash }},
		{"another_recorded_time", 21, func(s *eventstore.Snapshot) { s.RecordedAt = s.RecordedAt.Add(-time.Nanosecond) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := r.events[c.version-1]
			state, err := process.UnmarshalSnapshot(r.states[c.version])
			if err != nil {
				t.Fatal(err)
			}
			state.Contributions += 1000 // so that using the snapshot shows
			data, err := state.MarshalPast()
			if err != nil {
				t.Fatal(err)
			}
			snap := eventstore.Snapshot{Version: c.version, Schema: process.PastSchema, EventHash: ev.Hash, RecordedAt: ev.RecordedAt, Data: data}
			c.forge(&snap)
			if err := h.store.Archive().Keep(h.ctx, engine.StreamOf(r.id), snap); err != nil {
				t.Fatal(err)
			}
			eng := newArchivingEngine(t, h, 1000)
			r.pastVersion(t, h, eng, r.events[40])
			r.pastInstants(t, h, eng, 30, 3)
		})
	}
}

func TestPastState_refuses_what_it_cannot_answer(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Kurz")
	h.do(member, id, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"})
	cases := []struct {
		name string
		q    engine.Past
		who  process.Actor
		want func(error) bool
	}{
		{"a_version_beyond_the_current_one_names_it", engine.Past{Version: 3}, auditor, func(err error) bool {
			var b *engine.BeyondError
			return errors.As(err, &b) && b.Requested == 3 && b.Current == 2
		}},
		{"version_and_instant_together_name_both", engine.Past{Version: 1, At: h.clock.Now()}, auditor, func(err error) bool {
			var ie *process.InvalidError
			return errors.As(err, &ie) && ie.Field == "at, version"
		}},
		{"neither_version_nor_instant", engine.Past{}, auditor, func(err error) bool {
			var ie *process.InvalidError
			return errors.As(err, &ie) && ie.Field == "at, version"
		}},
		{"an_instant_before_the_opening_is_not_found", engine.Past{At: h.clock.Now().Add(-time.Hour)}, auditor, func(err error) bool {
			return errors.Is(err, process.ErrNotFound)
		}},
		{"another_tenant_finds_nothing_whatever_the_version", engine.Past{Version: 99}, otherLead, func(err error) bool {
			return errors.Is(err, process.ErrNotFound)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := h.engine.PastState(h.ctx, c.who, id, c.q); !c.want(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
}
