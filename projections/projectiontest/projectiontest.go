// Package projectiontest helps the read models' tests: it opens a store in a test directory,
// appends recorded events from a JSON-lines file at their recorded times, runs read models until
// they are caught up and compares answers with golden files (go test -update rewrites them).
package projectiontest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/runner"
)

// Update makes Golden rewrite the golden files.
var Update = flag.Bool("update", false, "rewrite the golden files")

// Now is the time the golden answers are computed at.
var Now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock for the store's recorded-at times.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Open opens a store at dir/civicflow.db with a settable clock; it closes with the test.
func Open(t testing.TB, dir string) (*sqlite.Store, *Clock) {
	t.Helper()
	clock := &Clock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(dir, "civicflow.db"), Clock: clock.Now, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// Line is one recorded event of a history file.
type Line struct {
	Stream        string          `json:"stream"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	Data          json.RawMessage `json:"data"`
	Actor         string          `json:"actor"`
	Tenant        string          `json:"tenant"`
	At            time.Time       `json:"at"`
}

// Append appends the events of a history file, each at its time, one append per line.
func Append(t testing.TB, s eventstore.Store, clock *Clock, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		clock.Set(l.At)
		id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(path+"#"+string(rune(n))+l.Stream+string(sc.Bytes())))
		if _, err := s.Append(context.Background(), l.Stream, eventstore.Any, eventstore.EventData{ID: id, Type: l.Type,
			SchemaVersion: max(1, l.SchemaVersion), Data: l.Data, Metadata: eventstore.Metadata{Tenant: l.Tenant, Actor: l.Actor}}); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
	}
}

// CatchUp runs the read models until they have applied the whole log, then stops them.
func CatchUp(t testing.TB, s *sqlite.Store, ps ...runner.Projection) {
	t.Helper()
	catchUp(t, runner.Config{Store: s, DB: s.ProjectionDB(), Projections: ps}, s)
}

func catchUp(t testing.TB, cfg runner.Config, s Log) {
	t.Helper()
	ps := cfg.Projections
	r, err := runner.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	for _, p := range ps {
		if err := WaitFiltered(wctx, r, s, p, head); err != nil {
			t.Fatalf("%s did not catch up: %v", p.Name(), err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// WaitFiltered waits until p has applied its last event at or before head.
func WaitFiltered(ctx context.Context, r *runner.Runner, s eventstore.Store, p runner.Projection, head eventstore.Position) error {
	last := eventstore.Start
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Filter: p.Filter()})
		if err != nil {
			return err
		}
		for _, e := range page {
			if e.Position.Compare(head) <= 0 {
				last = e.Position
			}
		}
		if len(page) < eventstore.DefaultReadAllLimit {
			break
		}
		after = page[len(page)-1].Position
	}
	return r.WaitFor(ctx, p.Name(), last)
}

// Golden compares v, as indented JSON, with the golden file at path; -update rewrites the file.
func Golden(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *Update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the read model; run go test -update and review the diff.\ngot:\n%s", path, got)
	}
}
