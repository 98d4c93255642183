package engine_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// reportLatency reports commands/s and the 50th and 99th percentile latency in milliseconds.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	reportLatencyOf(b, "commands/s", lat, elapsed)
}

// reportLatencyOf reports the rate (in unit, e.g. "queries/s") and the 50th and 99th
// percentile latency in milliseconds.
func reportLatencyOf(b *testing.B, unit string, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), unit)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCommand records contributions from 1 and 16 concurrent clients, each on a process of
// its own, on the embedded store with durable commits.
func BenchmarkCommand(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h := newHarness(b)
			ids := make([]uuid.UUID, clients)
			for i := range ids {
				ids[i] = h.open(standard, fmt.Sprintf("Verfahren %d", i))
			}
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						if _, err := h.engine.Do(h.ctx, h.meta(member), ids[c], engine.NoExpectation,
							engine.RecordContribution{Topic: "Radweg", Text: "Eine sichere Querung an der Schule"}); err != nil {
							b.Error(err)
							return
						}
						lat[i] = time.Since(t0)
					}
				})
			}
			wg.Wait()
			reportLatency(b, lat, time.Since(start))
		})
	}
}

// prefill appends n contributions to the process directly as events, in batches.
func prefill(b *testing.B, h *harness, id uuid.UUID, n int) {
	version := int64(len(events(b, h, id)))
	for done := 0; done < n; done += 1000 {
		batch := make([]eventstore.EventData, 0, 1000)
		for i := range min(1000, n-done) {
			data, schema, _ := process.Encode(process.ContributionRecorded{Contribution: fmt.Sprintf("k%d", done+i), PlainText: "Mehr Bäume im Quartier"})
			batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.contribution_recorded",
				SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", CommandID: uuid.NewString()}})
		}
		if _, err := h.store.Append(h.ctx, engine.StreamOf(id), eventstore.Exact(version), batch...); err != nil {
			b.Fatal(err)
		}
		version += int64(len(batch))
	}
}

// BenchmarkCommand_on_a_process_with_10000_contributions measures one command on a large
// process: "warm" with the process loaded (the normal case), "cold" right after the engine
// started (the process is read from the store first).
func BenchmarkCommand_on_a_process_with_10000_contributions(b *testing.B) {
	h := newHarness(b)
	id := h.open(standard, "Großes Verfahren")
	prefill(b, h, id, 10_000)
	cmd := engine.RecordContribution{Topic: "Radweg", Text: "Noch ein Vorschlag"}
	b.Run("warm", func(b *testing.B) {
		h.do(member, id, cmd) // load once
		lat := make([]time.Duration, b.N)
		start := time.Now()
		for i := range b.N {
			t0 := time.Now()
			h.do(member, id, cmd)
			lat[i] = time.Since(t0)
		}
		reportLatency(b, lat, time.Since(start))
	})
	b.Run("cold", func(b *testing.B) {
		lat := make([]time.Duration, b.N)
		start := time.Now()
		for i := range b.N {
			fresh := newEngine(b, h)
			t0 := time.Now()
			if _, err := fresh.Do(h.ctx, h.meta(member), id, engine.NoExpectation, cmd); err != nil {
				b.Fatal(err)
			}
			lat[i] = time.Since(t0)
		}
		reportLatency(b, lat, time.Since(start))
	})
}

// BenchmarkColdLoad measures what the first command on a process pays after a start (or after
// the cache let it go) when its latest snapshot lies far behind: 499 contributions after the
// event that opened it, no snapshot, read and replayed by an engine that has not loaded it.
func BenchmarkColdLoad(b *testing.B) {
	h := newHarness(b)
	id := h.open(standard, "Kalt geladen")
	prefill(b, h, id, 499)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fresh := newEngine(b, h)
		b.StartTimer()
		p, err := fresh.Load(h.ctx, member, id)
		if err != nil {
			b.Fatal(err)
		}
		if p.Version != 500 {
			b.Fatalf("loaded version %d, want 500", p.Version)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/500, "µs/event")
}
