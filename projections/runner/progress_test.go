package runner_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

func TestRebuildAll_reports_how_far_it_read_the_log(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	head, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all()})
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	ctx := eventstore.WithProgress(context.Background(), func(done int64) { last = done })
	if err := r.RebuildAll(ctx); err != nil {
		t.Fatal(err)
	}
	if last != int64(head.Commit()) {
		t.Fatalf("last report %d, want the log's head %d", last, head.Commit())
	}
}
