package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/workflows/engine"
)

// TestServeHeapIndependentOfHistory: what serve keeps in memory does not grow with the number of
// events (issue 16). serve runs in a test process of its own (heapInChild) on a store of 1,000 processes with 10,000
// contributions on 64 of them, until it is ready, its first seal (a full pass over the log) is
// done and its read models and process list have applied the whole log; its live heap is measured
// then (the least of a few garbage collections a moment apart). Then 90,000 contributions more are
// recorded through the engine on the same processes (CIVICFLOW_TEST_HEAP_EVENTS=100000 sets the
// total; 10,000 under the race detector), and serve runs again on the store. Its live heap may
// grow by at most 16 bytes per added event plus 4 MiB (two measurements of the same store differ
// by up to ~3 MiB); the command IDs the processes kept before they were bounded took ~50 bytes an
// event, and ~80 with what applying them kept. BenchmarkServeHeap runs the same on 10^6 events.
func TestServeHeapIndependentOfHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a history of 100,000 events; skipped with -short")
	}
	if os.Getenv(heapChildEnv) == "" {
		heapInChild(t)
		return
	}
	events := 100_000
	if raceDetector {
		events = 10_000 // several times slower: the test checks the same, on less
	}
	if v := os.Getenv("CIVICFLOW_TEST_HEAP_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			t.Fatalf("CIVICFLOW_TEST_HEAP_EVENTS=%q: want a number of at least 10", v)
		}
		events = n
	}
	before, after, added := serveHeapGrowth(t, events)
	if limit := 16*uint64(added) + 4<<20; after > before+limit {
		t.Errorf("serve's live heap grew from %.1f to %.1f MiB with %d more events: by more than 16 bytes an event (+4 MiB)",
			mib(before), mib(after), added)
	}
}

// heapChildEnv marks the test process that TestServeHeapIndependentOfHistory starts to measure in.
const heapChildEnv = "CIVICFLOW_TEST_HEAP_CHILD"

// heapInChild runs TestServeHeapIndependentOfHistory in a test process of its own (this binary,
// only this test) and fails with its output if it fails. The live heap measured there holds
// serve's and nothing of the package's other tests, so the test can run in parallel with them.
//
// The child starts before the test waits for its turn among the parallel tests: it is the
// package's second longest test, and started among the last it made the whole run wait for it.
func heapInChild(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=25m")
	cmd.Env = append(os.Environ(), heapChildEnv+"=1")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the test in its own process: %v\n%s", err, out.String())
	}
	for line := range strings.Lines(out.String()) { // its measurement
		if strings.Contains(line, "serve's live heap") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// BenchmarkServeHeap is TestServeHeapIndependentOfHistory on 10^6 events
// (CIVICFLOW_BENCH_HEAP_EVENTS), reporting both heaps and the growth per added event.
func BenchmarkServeHeap(b *testing.B) {
	events := 1_000_000
	if v := os.Getenv("CIVICFLOW_BENCH_HEAP_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			b.Fatalf("CIVICFLOW_BENCH_HEAP_EVENTS=%q: want a number of at least 10", v)
		}
		events = n
	}
	for range b.N {
		before, after, added := serveHeapGrowth(b, events)
		b.ReportMetric(mib(before), "heap-before-MiB")
		b.ReportMetric(mib(after), "heap-after-MiB")
		b.ReportMetric(float64(int64(after)-int64(before))/float64(added), "heap-bytes/added-event")
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// serveHeapGrowth returns serve's live heap on a store of 1,000 processes with events/10
// contributions on 64 of them, and on the same store after the rest of the events (added).
func serveHeapGrowth(t testing.TB, events int) (before, after uint64, added int) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Store.SQLite.Path = filepath.Join(dir, "civicflow.db")
	cfg.Audit.SealKeyFile = filepath.Join(dir, "seal.key")
	cfg.Server.DemoTokensFile = filepath.Join(dir, "demo-tokens.txt")
	cfg.Server.Addr = freeAddr(t)
	// serve runs in the test's process: its memory limit (server.memory_limit) would stay with the
	// tests after it. The live heap measured here does not depend on it.
	cfg.Server.MemoryLimit = "off"
	lead := process.Meta{Actor: process.Actor{User: "heap", Tenant: "leipzig", Role: "lead"}}
	contribute := func(a *app, ids []uuid.UUID, n int) {
		parallel(t, n, 256, func(i int) error {
			_, err := a.engine.Do(context.Background(), lead, ids[i%64], engine.NoExpectation,
				&engine.RecordContribution{Topic: "Radweg", Text: "Eine sichere Querung vor der Grundschule"})
			return err
		})
	}

	serveHeap(t, cfg) // publishes the templates and creates the seal key
	var ids []uuid.UUID
	withEngine(t, cfg, func(a *app) {
		ids = make([]uuid.UUID, 1000)
		parallel(t, len(ids), 64, func(i int) error {
			res, err := a.engine.Open(context.Background(), lead, engine.OpenProcess{Template: "beteiligung-standard", Title: fmt.Sprint("Speicher ", i)})
			ids[i] = res.Process
			return err
		})
		contribute(a, ids, events/10)
	})
	before = serveHeap(t, cfg)
	added = events - events/10
	withEngine(t, cfg, func(a *app) { contribute(a, ids, added) })
	after = serveHeap(t, cfg)
	t.Logf("serve's live heap: %.1f MiB with %d contributions, %.1f MiB with %d more", mib(before), events/10, mib(after), added)
	return before, after, added
}

// withEngine opens the store with serve's wiring and runs f on it.
func withEngine(t testing.TB, cfg config.Config, f func(a *app)) {
	t.Helper()
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	f(a)
	if err := a.store.Close(); err != nil {
		t.Fatal(err)
	}
}

// serveHeap runs serve in this process until it is ready, its first seal is done and its read
// models have applied the whole log, then returns the least live heap of a few garbage
// collections and stops it. CIVICFLOW_TEST_HEAP_PROFILE_DIR=dir writes a heap profile there.
func serveHeap(t testing.TB, cfg config.Config) uint64 {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, cfg, false, 0, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Fatalf("serve: %v\n%s", err, logs)
		}
	}()
	deadline := time.Now().Add(5 * time.Minute)
	for !serveSettled(cfg.Server.Addr, logs) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become ready and seal the log:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The least live heap of a few collections: what serve keeps, not a batch it holds a moment.
	var m runtime.MemStats
	least := uint64(math.MaxUint64)
	for range 5 {
		runtime.GC()
		runtime.ReadMemStats(&m)
		least = min(least, m.HeapAlloc)
		time.Sleep(200 * time.Millisecond)
	}
	if dir := os.Getenv("CIVICFLOW_TEST_HEAP_PROFILE_DIR"); dir != "" {
		f, err := os.CreateTemp(dir, "heap-*.pb.gz")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
		t.Logf("heap profile %s (%.1f MiB live)", f.Name(), mib(least))
	}
	return least
}

// serveSettled says whether the server at addr is ready, has sealed the log and its read models
// and process list lag no event behind it (civicflow_projection_lag_events on /metrics).
func serveSettled(addr string, logs *syncBuffer) bool {
	if !strings.Contains(logs.String(), "log sealed") {
		return false
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return false
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return false
	}
	lags := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, metrics.NameProjectionLag+"{") {
			lags++
			if !strings.HasSuffix(line, " 0") {
				return false
			}
		}
	}
	return lags > 0
}
