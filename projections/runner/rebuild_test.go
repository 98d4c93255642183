package runner_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

func TestRebuildAllInOnePassYieldsTheSameModelsAndDropsLeftovers(t *testing.T) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	ctx := context.Background()
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := models(t, s); got != want {
		t.Fatalf("rebuilt in one pass:\n%s\nwant:\n%s", got, want)
	}
	// A rebuild interrupted before its switch left tables of build 3 behind.
	if _, err := s.ProjectionDB().ExecContext(ctx, `CREATE TABLE process_overview_v3_process (id TEXT)`); err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := models(t, s); got != want {
		t.Fatalf("rebuilt again:\n%s\nwant:\n%s", got, want)
	}
	tables, _, err := runner.Active(ctx, s.ProjectionReadDB(), overview.Name)
	if err != nil || tables != "process_overview_v2" {
		t.Fatalf("active tables %q, %v; want process_overview_v2", tables, err)
	}
	var n int
	if err := s.ProjectionReadDB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table'
		AND (name LIKE 'process_overview_v1_%' OR name LIKE 'process_overview_v3_%')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables of replaced or interrupted builds left, %v", n, err)
	}
}
