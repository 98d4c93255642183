package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/workflows/engine"
)

// loadHistoryEngine loads the history without HTTP but through the same command path
// (CIVICFLOW_BENCH_HISTORY_LOADER=engine, the default): it stops the server, opens its store with
// serve's own wiring (openApp: ops/storage and workflows/engine on the configuration the server
// ran with), authenticates the server's lead token with the token registry, and runs the same
// commands as the HTTP loader (engine.Open, then RecordContribution through engine.Do) from many
// goroutines, whose appends the store commits in groups. Then it starts the server again on the
// file: its read models and process list catch up with the whole history before it is ready,
// which is the rebuild time. profile is called as the server starts and returns the function
// that ends the profiling once it is ready.
func loadHistoryEngine(b *testing.B, r *running, sz historyBench, profile func() func()) loaded {
	r.stop()
	ctx := context.Background()
	a, meta := openAsLead(b, r)
	defer a.store.Close()
	var err error
	workers := 256
	if v := os.Getenv("CIVICFLOW_BENCH_HISTORY_WORKERS"); v != "" {
		if workers, err = strconv.Atoi(v); err != nil || workers < 1 {
			b.Fatalf("CIVICFLOW_BENCH_HISTORY_WORKERS=%q: want a positive number", v)
		}
	}

	start := time.Now()
	ids := make([]uuid.UUID, sz.processes)
	parallel(b, len(ids), workers, func(i int) error {
		res, err := a.engine.Open(ctx, meta, engine.OpenProcess{Template: "beteiligung-standard", Title: fmt.Sprint("Verlauf ", i)})
		ids[i] = res.Process
		return err
	})
	work := historyWork(sz, ids)
	var done atomic.Int64
	parallel(b, len(work), workers, func(i int) error {
		// What the API decodes from the HTTP loader's body (contribute).
		cmd := &engine.RecordContribution{Topic: "Radweg", Text: "Eine sichere Querung vor der Grundschule"}
		if _, err := a.engine.Do(ctx, meta, work[i], engine.NoExpectation, cmd); err != nil {
			return fmt.Errorf("record_contribution on %s: %w", work[i], err)
		}
		if n := done.Add(1); n%500_000 == 0 {
			b.Logf("history: %d of %d commands, %.0f/s", n, len(work), float64(n)/time.Since(start).Seconds())
		}
		return nil
	})
	took := time.Since(start)
	// What serve does at a clean stop (saveSnapshotsAtStop): a server that had written this
	// history would have saved a snapshot of each process it holds that grew by 50 events or more
	// since its last one. Without it, the first command on each long process after the restart
	// replays up to 499 events (64 of them at once: median 132 ms in one quiet run).
	saved, err := a.engine.SaveSnapshots(ctx, snapshotAtStopEvents)
	if err != nil {
		b.Fatalf("snapshots at the loader's stop: %v", err)
	}
	b.Logf("history: %d snapshots saved at the loader's stop, as serve's stop saves them", saved)
	if err := a.store.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("history: %d commands in %v (%.0f/s), the server starts on it", len(ids)+len(work), took.Round(time.Second), float64(len(ids)+len(work))/took.Seconds())

	start, mark := time.Now(), len(r.logs.String())
	r.startAgain(b)
	profiled := profile()
	r.waitReadyWithin(time.Duration(max(60, sz.events/1_000)) * time.Second)
	rebuild := time.Since(start)
	b.Logf("history: the server is ready on it after %v (the rebuild)", rebuild.Round(time.Millisecond))
	profiled()
	sealed := r.waitSealed(b, mark, sz)
	b.Logf("history: its first seal after %v", sealed.Sub(start).Round(time.Millisecond))
	long := make([]string, 64)
	for i, id := range ids[:64] {
		long[i] = id.String()
	}
	return loaded{long: long, commands: len(ids) + len(work), took: took, rebuild: rebuild}
}

// checkHistory checks that the store at path holds the history historyWork describes: the
// processes it opened, each short one with the event that opened it and perShort contributions,
// the 64 long ones with more, and no other kind of event on them.
func checkHistory(b *testing.B, path string, sz historyBench, long []string) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	isLong := map[string]bool{}
	for _, id := range long {
		isLong["process-"+id] = true
	}
	rows, err := db.Query(`SELECT stream, count(*), sum(type = 'process.contribution_recorded') FROM events WHERE stream LIKE 'process-%' GROUP BY stream`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	perLong := longContributions(sz)
	streams, longSeen, events := 0, 0, 0
	for rows.Next() {
		var stream string
		var n, contributions int
		if err := rows.Scan(&stream, &n, &contributions); err != nil {
			b.Fatal(err)
		}
		streams++
		events += n
		want := perShort
		if isLong[stream] {
			longSeen++
			want = perLong
		}
		if contributions != want || n != want+1 {
			b.Fatalf("%s: %d events, %d contributions; want %d contributions and the event that opened it", stream, n, contributions, want)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if streams != sz.processes || longSeen != 64 {
		b.Fatalf("the history has %d processes, %d of them long; want %d and 64", streams, longSeen, sz.processes)
	}
	b.Logf("history: %d processes (64 with %d contributions, the others %d), %d process events", streams, perLong, perShort, events)
}
