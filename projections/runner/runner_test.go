package runner_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/readmodels"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/projections/stagestats"
)

const history = "../projectiontest/testdata/history.jsonl"

// all is every read model, in the order of the wiring.
func all() []runner.Projection { return readmodels.All() }

// models reads every read model as JSON, without the positions' provenance differences.
func models(t *testing.T, s *sqlite.Store) string {
	t.Helper()
	ctx := context.Background()
	ov, err := overview.List(ctx, s.ProjectionReadDB(), overview.Query{Now: projectiontest.Now})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := audit.List(ctx, s.ProjectionReadDB(), audit.Query{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := stagestats.List(ctx, s.ProjectionReadDB(), stagestats.Query{})
	if err != nil {
		t.Fatal(err)
	}
	pa, err := participation.Summary(ctx, s.ProjectionReadDB(), participation.Query{})
	if err != nil {
		t.Fatal(err)
	}
	im, err := implementation.List(ctx, s.ProjectionReadDB(), implementation.Query{Now: projectiontest.Now})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{ov, tl, ss, pa, im})
	return string(b)
}

func uninterrupted(t *testing.T) string {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	projectiontest.CatchUp(t, s, all()...)
	return models(t, s)
}

func TestRebuildYieldsTheSameModelsAsIncrementalProcessing(t *testing.T) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all(), BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	projectiontest.Append(t, s, clock, history) // live, while the runner follows
	head, _ := s.Head(ctx)
	wait(t, r, s, head)
	if got := models(t, s); got != want {
		t.Fatalf("incremental:\n%s\nwant:\n%s", got, want)
	}
	for _, p := range all() {
		if err := r.Rebuild(ctx, p.Name()); err != nil {
			t.Fatal(err)
		}
	}
	if got := models(t, s); got != want {
		t.Fatalf("rebuilt:\n%s\nwant:\n%s", got, want)
	}
	tables, _, err := runner.Active(ctx, s.ProjectionReadDB(), overview.Name)
	if err != nil || tables != "process_overview_v2" {
		t.Fatalf("active tables %q, %v; want process_overview_v2", tables, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func wait(t *testing.T, r *runner.Runner, s *sqlite.Store, head eventstore.Position) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range all() {
		if err := projectiontest.WaitFiltered(ctx, r, s, p, head); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRestartAfterInterruptionYieldsTheSameModels(t *testing.T) {
	restartAtSeveralPoints(t, 3, 7, func(s *sqlite.Store) runner.Config {
		return runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all(), BatchSize: 3}
	})
}

// A runner that starts behind catches up in pages read straight from the store (CatchUpPage),
// then follows its source: stopped at several points, it ends with the models of an
// uninterrupted run.
func TestCatchUpInPagesThenFollowYieldsTheSameModels(t *testing.T) {
	restartAtSeveralPoints(t, 2, 9, func(s *sqlite.Store) runner.Config {
		return runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all(), BatchSize: 3, CatchUpPage: 4}
	})
}

// restartAtSeveralPoints stops runners made with config at positions first, first+step, … of the
// history, then lets one finish, and compares the read models with an uninterrupted run.
func restartAtSeveralPoints(t *testing.T, first, step int, config func(*sqlite.Store) runner.Config) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	buildEmpty(t, s) // so that the runs below follow the log live from their checkpoints
	projectiontest.Append(t, s, clock, history)
	for stop := first; ; stop += step { // stop the runner at several points, then let it finish
		r, err := runner.New(config(s))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		head, _ := s.Head(ctx)
		if stop < int(head.Commit()) {
			wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
			_ = r.WaitFor(wctx, audit.Name, eventstore.SequencePosition(uint64(stop)))
			wcancel()
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			continue
		}
		wait(t, r, s, head)
		cancel()
		<-done
		break
	}
	if got := models(t, s); got != want {
		t.Fatalf("after restarts:\n%s\nwant:\n%s", got, want)
	}
}

// flaky fails its first attempts at one position, after applying the batch's earlier events.
type flaky struct {
	runner.Projection
	at       uint64
	failures atomic.Int32
}

func (f *flaky) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	if e.Position.Commit() == f.at && f.failures.Add(1) <= 2 {
		return errors.New("injected failure")
	}
	return f.Projection.Apply(ctx, tx, t, e)
}

func TestFailedBatchIsRolledBackAndRetriedNeverSkipped(t *testing.T) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	f := &flaky{Projection: overview.Projection{}, at: 14}
	// Build first, then fail while following live: both paths retry the batch.
	projectiontest.CatchUp(t, s, all()[1:]...) // every read model but the overview
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: []runner.Projection{f}, BatchSize: 4, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	head, _ := s.Head(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := projectiontest.WaitFiltered(wctx, r, s, overview.Projection{}, head); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if f.failures.Load() < 3 {
		t.Fatalf("the failing event was tried %d times, want 3", f.failures.Load())
	}
	if got := models(t, s); got != want {
		t.Fatalf("after retries:\n%s\nwant:\n%s", got, want)
	}
}

// buildEmpty builds every read model on an empty log.
func buildEmpty(t *testing.T, s *sqlite.Store) {
	t.Helper()
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all() {
		if err := r.Rebuild(context.Background(), p.Name()); err != nil {
			t.Fatal(err)
		}
	}
}
