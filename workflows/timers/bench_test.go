package timers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
	"github.com/civicflow/civicflow/workflows/timers"
)

// benchTimers is how many pending timers BenchmarkTimers makes: CIVICFLOW_TEST_TIMERS, else
// 5,000 with -short, else 100,000.
func benchTimers(b *testing.B) int {
	if v := os.Getenv("CIVICFLOW_TEST_TIMERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("CIVICFLOW_TEST_TIMERS=%q: want a number ≥ 100", v)
		}
		return n
	}
	if testing.Short() {
		return 5_000
	}
	return 100_000
}

// perProcess is the number of periods (timers) of each process of the bench template.
const perProcess = 10

// benchTemplate is the template of the timers test with perProcess minimum periods of 1 to
// perProcess weeks in its first stage, from the named date opened_on.
func benchTemplate() string {
	t, _, _ := strings.Cut(tpl, "deadlines:")
	t += "dates:\n  - {key: opened_on, title: {de: Eröffnet, en: Opened}}\ndeadlines:\n"
	for i := 1; i <= perProcess; i++ {
		t += fmt.Sprintf("  - {key: p%d, title: {de: Frist %d, en: Period %d}, stage: comments, kind: minimum, days: %d, anchor: {date: opened_on}}\n", i, i, i, 7*i)
	}
	return t
}

// appendProcesses opens n processes of the template directly in the store, each with its date
// opened_on on one of the six days before start (so that their periods end on different days,
// all after start; the store records everything at start), from 32 writers at once.
func appendProcesses(b *testing.B, s *sqlite.Store, tpl string, version, n int, start time.Time) {
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 32 {
				at := start.AddDate(0, 0, -1-i%6).Add(time.Duration(i) * time.Second)
				var batch []eventstore.EventData
				for _, payload := range []process.Payload{
					process.ProcessOpened{TemplateID: tpl, TemplateVersion: version, Title: "Verfahren " + strconv.Itoa(i),
						Tenant: "leipzig", Lead: "anna", Stage: "comments", At: at},
					process.DateSet{Date: "opened_on", Value: at, By: "anna", At: at},
				} {
					data, schema, _ := process.Encode(payload)
					batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: payload.Type(), SchemaVersion: schema,
						Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}})
				}
				stream := engine.StreamOf(uuid.NewSHA1(uuid.NameSpaceOID, []byte(strconv.Itoa(i))))
				if _, err := s.Append(context.Background(), stream, eventstore.NoStream, batch...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkTimers loads the pending timers of CIVICFLOW_TEST_TIMERS timers (100,000: 10,000
// processes with ten periods each, opened on six different days) into a new scheduler, and
// fires the timers of the first instant at which any are due with a real clock shifted so that
// it comes half a second after the load. It reports the load time (target < 1 s), the heap the
// scheduler keeps (target < 50 MB) and the p99 delay after their time of the timers fired
// (target < 1 s).
func BenchmarkTimers(b *testing.B) {
	n := benchTimers(b)
	ctx := context.Background()
	start := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	var shift time.Duration
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(shift) }
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(b.TempDir(), "db"), Clock: func() time.Time { return start }})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: now})
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := templates.Parse([]byte(benchTemplate()))
	if err != nil {
		b.Fatal(err)
	}
	tv, err := eng.PublishTemplate(ctx, process.Meta{Actor: admin, CommandID: "tpl"}, parsed)
	if err != nil {
		b.Fatal(err)
	}
	appendProcesses(b, store, tv.Template.ID, tv.Template.Version, n/perProcess, start)
	var loads, delays []time.Duration
	var heap uint64
	for b.Loop() {
		mu.Lock()
		shift = time.Until(start) // the clock stands a day after the last opening
		mu.Unlock()
		fresh, _ := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: now})
		var firedMu sync.Mutex
		var fired []time.Duration
		s, err := timers.New(timers.Config{Engine: fresh, Store: store, Clock: now, Poll: 50 * time.Millisecond,
			Fired: func(_ process.Timer, late time.Duration) {
				firedMu.Lock()
				fired = append(fired, late)
				firedMu.Unlock()
			}})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		if err := s.Load(ctx); err != nil {
			b.Fatal(err)
		}
		loads = append(loads, time.Since(t0))
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = max(heap, after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))
		if got, want := s.Pending(), n/perProcess*perProcess-len(delays); got != want { // earlier rounds fired some
			b.Fatalf("%d pending timers, want %d", got, want)
		}
		first, _ := s.Next()
		due := 0
		mu.Lock()
		shift = time.Until(first.Add(-500 * time.Millisecond))
		mu.Unlock()
		before2 := s.Pending()
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = s.Follow(rctx); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			firedMu.Lock()
			due = len(fired)
			firedMu.Unlock()
			if due > 0 && s.Pending() == before2-due && s.Overdue() == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		delays = append(delays, fired...)
	}
	slices.Sort(loads)
	slices.Sort(delays)
	b.ReportMetric(loads[len(loads)-1].Seconds(), "max-load-s")
	b.ReportMetric(loads[len(loads)/2].Seconds(), "median-load-s")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	if len(delays) > 0 {
		b.ReportMetric(delays[len(delays)*99/100].Seconds(), "p99-delay-s")
		b.ReportMetric(float64(len(delays))/float64(b.N), "fired/op")
	}
}
