package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestStats_count_written_events_not_duplicates_or_refusals(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	a, b := benchEvent(), benchEvent()
	if _, err := s.Append(ctx, "process-1", eventstore.NoStream, a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "process-1", eventstore.NoStream, a, b); err != nil { // a retry: duplicate
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "process-1", eventstore.Exact(7), benchEvent()); err == nil {
		t.Fatal("stale append succeeded")
	}
	if st := s.Stats(); st.Events != 2 || st.Appends != 3 {
		t.Errorf("Stats = %+v, want 2 events of 3 appends", st)
	}
}
