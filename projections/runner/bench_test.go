package runner_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// rebuildEvents is how many events BenchmarkRebuild appends: CIVICFLOW_TEST_REBUILD_EVENTS, else
// 20,000 with -short, else 1,000,000.
func rebuildEvents(b *testing.B) int {
	if v := os.Getenv("CIVICFLOW_TEST_REBUILD_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("CIVICFLOW_TEST_REBUILD_EVENTS=%q: want a number ≥ 1000", v)
		}
		return n
	}
	if testing.Short() {
		return 20_000
	}
	return 1_000_000
}

// appendSmallEvents writes n small process events: processes of 1,000 events each, opened, then
// sessions, participants and contributions.
func appendSmallEvents(b testing.TB, s eventstore.Store, n int) {
	ctx := context.Background()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := 0; p*1000 < n; p++ {
		stream := fmt.Sprintf("process-%s", uuid.NewSHA1(uuid.NameSpaceOID, []byte(strconv.Itoa(p))))
		batch := make([]eventstore.EventData, 0, 1000)
		for i := 0; i < 1000 && p*1000+i < n; i++ {
			var payload process.Payload
			switch {
			case i == 0:
				payload = process.ProcessOpened{TemplateID: "bench", TemplateVersion: 1, Title: "Verfahren " + strconv.Itoa(p), Tenant: "t" + strconv.Itoa(p%10), Lead: "anna", Stage: "tender", At: at}
			case i%10 == 1:
				payload = process.SessionScheduled{Session: "s" + strconv.Itoa(i), Title: "Werkstatt", Format: "workshop", Date: at}
			case i%10 == 2:
				payload = process.ParticipantRegistered{Participant: "x" + strconv.Itoa(i), Person: "p", Group: "citizens"}
			default:
				payload = process.ContributionRecorded{Contribution: "k" + strconv.Itoa(i), Topic: "Spielplatz"}
			}
			data, schema, err := process.Encode(payload)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: payload.Type(), SchemaVersion: schema, Data: data,
				Metadata: eventstore.Metadata{Tenant: "t" + strconv.Itoa(p%10), Actor: "ben"}})
		}
		if _, err := s.Append(ctx, stream, eventstore.Any, batch...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuild reports the rebuild rate of each read model, and of all of them in one pass
// over the log ("all"), next to the store's raw ReadAll rate over the same log, in the same run
// (target: ≥ 50 % of ReadAll). Every iteration reads the whole log again and rebuilds from
// scratch beside the previous build.
func BenchmarkRebuild(b *testing.B) {
	n := rebuildEvents(b)
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: b.TempDir() + "/bench.db"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	appendSmallEvents(b, s, n)
	benchRebuild(b, s, n, runner.Config{DB: s.ProjectionDB()}, true)
}

// BenchmarkRebuildPostgres is BenchmarkRebuild with the log and the read models in PostgreSQL
// (a schema of its own on the test server, postgrestest): all read models rebuilt in one pass
// next to the store's ReadAll over the same log, in the same run (target: ≥ 50 % of ReadAll).
// It appends CIVICFLOW_TEST_REBUILD_EVENTS events, like BenchmarkRebuild.
func BenchmarkRebuildPostgres(b *testing.B) {
	n := rebuildEvents(b)
	pg := projectiontest.OpenPostgres(b)
	appendSmallEvents(b, pg.Log, n)
	benchRebuild(b, pg.Log, n, runner.Config{DB: pg.DB, Dialect: pg.Dialect}, false)
}

// benchRebuild runs BenchmarkRebuild's cases on the n events of s with the read models in cfg's
// database: one per read model when each is true, and "all" (every read model in one pass).
func benchRebuild(b *testing.B, s eventstore.Store, n int, cfg runner.Config, each bool) {
	ctx := context.Background()
	readAll := func() float64 {
		start := time.Now()
		count := countEvents(b, s)
		if count != n {
			b.Fatalf("read %d events, want %d", count, n)
		}
		return float64(count) / time.Since(start).Seconds()
	}
	switched := &switchClock{}
	cfg.Store, cfg.Projections, cfg.Logger = s, all(), slog.New(switched)
	r, err := runner.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	type rebuildCase struct {
		name    string
		rebuild func() error
	}
	var cases []rebuildCase
	if each {
		for _, p := range all() {
			cases = append(cases, rebuildCase{p.Name(), func() error { return r.Rebuild(ctx, p.Name()) }})
		}
	}
	// Last, so that it too replaces existing builds (and drops them) like every case before it.
	cases = append(cases, rebuildCase{"all", func() error { return r.RebuildAll(ctx) }})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var rebuild, toSwitch, raw float64
			for b.Loop() {
				raw += readAll()
				start := time.Now()
				if err := c.rebuild(); err != nil {
					b.Fatal(err)
				}
				rebuild += float64(n) / time.Since(start).Seconds()
				toSwitch += float64(n) / switched.last().Sub(start).Seconds()
			}
			rebuild, toSwitch, raw = rebuild/float64(b.N), toSwitch/float64(b.N), raw/float64(b.N)
			b.ReportMetric(rebuild, "rebuild_events/s")
			b.ReportMetric(toSwitch, "to_switch_events/s")
			b.ReportMetric(raw, "readall_events/s")
			b.ReportMetric(100*rebuild/raw, "%_of_readall")
		})
	}
}

// countEvents reads the whole log of s in pages of 1,000, as a reader would, and returns how many
// events it holds.
func countEvents(tb testing.TB, s eventstore.Store) int {
	count := 0
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			tb.Fatal(err)
		}
		count += len(page)
		if len(page) < 1000 {
			return count
		}
		after = page[len(page)-1].Position
	}
}

// switchClock is a log handler that notes when the runner last logged a switch: the rebuilt read
// models are in use from then on; the old builds' tables are dropped after it.
type switchClock struct {
	mu sync.Mutex
	at time.Time
}

func (h *switchClock) Enabled(context.Context, slog.Level) bool { return true }

func (h *switchClock) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message == "projection switched" {
		h.mu.Lock()
		h.at = time.Now()
		h.mu.Unlock()
	}
	return nil
}

func (h *switchClock) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *switchClock) WithGroup(string) slog.Handler      { return h }

func (h *switchClock) last() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at
}
