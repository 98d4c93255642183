package engine_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// pastSizes are the process lengths BenchmarkPastState measures: CIVICFLOW_TEST_PAST_EVENTS (a
// comma-separated list, each ≥ 100), else 10,000 and 100,000.
func pastSizes(b *testing.B) []int {
	v := os.Getenv("CIVICFLOW_TEST_PAST_EVENTS")
	if v == "" {
		return []int{10_000, 100_000}
	}
	var out []int
	for s := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 {
			b.Fatalf("CIVICFLOW_TEST_PAST_EVENTS=%q: want numbers ≥ 100, comma-separated", v)
		}
		out = append(out, n)
	}
	return out
}

// pastEvery is the archive spacing BenchmarkPastState uses: CIVICFLOW_TEST_PAST_EVERY, else the
// engine's default (0), so that other spacings can be measured.
func pastEvery(b *testing.B) int64 {
	v := os.Getenv("CIVICFLOW_TEST_PAST_EVERY")
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		b.Fatalf("CIVICFLOW_TEST_PAST_EVERY=%q: want a positive number", v)
	}
	return n
}

// prefillMixed appends n events to the process directly, 100 per append and a millisecond
// apart: contributions, and a participant registration every 500th event (sealed data).
func prefillMixed(b *testing.B, h *harness, id uuid.UUID, n int) {
	version := int64(len(events(b, h, id)))
	for done := 0; done < n; done += 100 {
		batch := make([]eventstore.EventData, 0, 100)
		for i := done; i < min(done+100, n); i++ {
			var pl process.Payload = process.ContributionRecorded{Contribution: fmt.Sprintf("k%d", i), Topic: "Radweg", PlainText: "Mehr Bäume im Quartier"}
			if i%500 == 0 {
				pl = process.ParticipantRegistered{Participant: fmt.Sprintf("t%d", i), Person: fmt.Sprintf("leipzig:p%d", i), Group: "citizens",
					Name: process.Sealed{Person: fmt.Sprintf("leipzig:p%d", i), Ciphertext: "c2VhbGVkIGRhdGEgb2YgYSBwZXJzb24="}}
			}
			data, schema, err := process.Encode(pl)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: pl.Type(), SchemaVersion: schema, Data: data,
				Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "ben", CommandID: uuid.NewString()}})
		}
		if _, err := h.store.Append(h.ctx, engine.StreamOf(id), eventstore.Exact(version), batch...); err != nil {
			b.Fatal(err)
		}
		version += int64(len(batch))
		h.clock.Advance(time.Millisecond)
	}
}

// archiveBytes is the size of the archived snapshots' data, read from the database file.
func archiveBytes(b *testing.B, h *harness) int64 {
	db, err := sql.Open("sqlite", "file:"+h.path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(h.ctx, `SELECT coalesce(sum(length(data)), 0) FROM snapshot_archive`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkPastState measures the state of a long process at a random version and at a random
// instant (from the archived snapshot at or before it, replaying the rest), beside the current
// state (Engine.Load, from the engine's cache) in the same run, on processes of 10,000 and
// 100,000 events. The history is written straight to the store, so the first past state archives
// it (a full replay, not measured); the engine then archives as its commands go.
func BenchmarkPastState(b *testing.B) {
	for _, n := range pastSizes(b) {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			h := newHarness(b)
			id := h.open(standard, "Langes Verfahren")
			prefillMixed(b, h, id, n-1)
			eng := newArchivingEngine(b, h, pastEvery(b))
			all := events(b, h, id)
			first, last := all[0].RecordedAt, all[len(all)-1].RecordedAt
			if _, _, err := eng.PastState(h.ctx, auditor, id, engine.Past{Version: int64(len(all))}); err != nil {
				b.Fatal(err) // archives the history
			}
			perEvent := float64(archiveBytes(b, h)) / float64(n)
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			queries := []struct {
				name string
				run  func() error
			}{
				{"current", func() error { _, err := eng.Load(h.ctx, auditor, id); return err }},
				{"version", func() error {
					_, _, err := eng.PastState(h.ctx, auditor, id, engine.Past{Version: 1 + rng.Int64N(int64(len(all)))})
					return err
				}},
				{"instant", func() error {
					at := first.Add(time.Duration(rng.Int64N(int64(last.Sub(first)) + 1)))
					_, _, err := eng.PastState(h.ctx, auditor, id, engine.Past{At: at})
					return err
				}},
			}
			for _, q := range queries {
				b.Run(q.name, func(b *testing.B) {
					lat := make([]time.Duration, b.N)
					start := time.Now()
					for i := range b.N {
						t0 := time.Now()
						if err := q.run(); err != nil {
							b.Fatal(err)
						}
						lat[i] = time.Since(t0)
					}
					reportLatencyOf(b, "queries/s", lat, time.Since(start))
					b.ReportMetric(perEvent, "archive-bytes/event")
				})
			}
		})
	}
}
