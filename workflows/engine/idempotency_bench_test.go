package engine_test

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/workflows/engine"
)

// BenchmarkIdempotency measures what idempotency costs a process with a long history
// (CIVICFLOW_BENCH_IDEM_COMMANDS commands, default 100,000, each with its own command ID): the
// snapshot's size, the heap the loaded process holds (after a full replay, and after a restart
// from the snapshot), a new command on it, the check of an unknown command ID (Engine.Handled),
// and the replay of its first command, handled before all the others.
func BenchmarkIdempotency(b *testing.B) {
	n := 100_000
	if s := os.Getenv("CIVICFLOW_BENCH_IDEM_COMMANDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CIVICFLOW_BENCH_IDEM_COMMANDS=%q: want a positive number", s)
		}
	}
	h := newHarness(b)
	id := h.open(standard, "Langes Verfahren")
	first := h.meta(member)
	register := engine.RegisterParticipant{Participant: "t1", Group: "citizens", Name: "Erika Mustermann"}
	if _, err := h.engine.Do(h.ctx, first, id, engine.NoExpectation, register); err != nil {
		b.Fatal(err)
	}
	prefill(b, h, id, n)
	contribution := engine.RecordContribution{Topic: "Radweg", Text: "Noch ein Vorschlag"}

	// A full replay of the history (it stores a snapshot), then a restart from that snapshot:
	// what each engine holds once it has the process loaded.
	orig := h.engine
	load := func() *engine.Engine {
		e := newEngine(b, h)
		if _, err := e.Do(h.ctx, h.meta(member), id, engine.NoExpectation, contribution); err != nil {
			b.Fatal(err)
		}
		return e
	}
	replayHeap := heldBy(load)
	snap, ok, err := h.store.Snapshots().Load(h.ctx, engine.StreamOf(id))
	if err != nil || !ok {
		b.Fatalf("no snapshot after %d events: %v", n, err)
	}
	restoredHeap := heldBy(load)
	h.engine = load()
	runtime.KeepAlive(orig)

	const rounds = 200
	measure := func(f func()) time.Duration {
		lat := make([]time.Duration, rounds)
		for i := range lat {
			t0 := time.Now()
			f()
			lat[i] = time.Since(t0)
		}
		return median(lat)
	}
	b.ResetTimer()
	for range b.N {
		command := measure(func() { h.do(member, id, contribution) })
		unknown := measure(func() {
			if _, ok, err := h.engine.Handled(h.ctx, lead, id, uuid.Must(uuid.NewV7()).String()); err != nil || ok {
				b.Fatalf("an unknown command ID: %v, %v", ok, err)
			}
		})
		replay := measure(func() {
			if res, err := h.engine.Do(h.ctx, first, id, engine.NoExpectation, register); err != nil || !res.Duplicate {
				b.Fatalf("the first command again: %+v, %v", res, err)
			}
		})
		b.ReportMetric(float64(command.Microseconds())/1000, "command-p50-ms")
		b.ReportMetric(float64(unknown.Microseconds())/1000, "unknown-id-p50-ms")
		b.ReportMetric(float64(replay.Microseconds())/1000, "old-replay-p50-ms")
	}
	b.ReportMetric(float64(len(snap.Data)), "snapshot-bytes") // after the loop: ResetTimer drops metrics
	b.ReportMetric(float64(replayHeap), "heap-bytes-replayed")
	b.ReportMetric(float64(restoredHeap), "heap-bytes-restored")
}

// heldBy returns how much live heap the engine that load returns holds: the heap with it, less
// the heap once it is dropped.
func heldBy(load func() *engine.Engine) int64 {
	var with, without runtime.MemStats
	e := load()
	runtime.GC()
	runtime.GC() // and what finalizers freed
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(e)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&without)
	return int64(with.HeapAlloc) - int64(without.HeapAlloc)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
