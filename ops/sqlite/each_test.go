package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestEach_reports_its_progress_after_every_page: whole-log passes (verification, seals) tell the
// command line how far they got, so that `audit verify --db` prints a line every few seconds.
func TestEach_reports_its_progress_after_every_page(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	for i := 0; i < 2500; i += 100 {
		evs := make([]eventstore.EventData, 100)
		for j := range evs {
			evs[j] = benchEvent()
		}
		if _, err := s.Append(ctx, "process-"+string(rune('a'+i/100)), eventstore.NoStream, evs...); err != nil {
			t.Fatal(err)
		}
	}
	var reported []int64
	ctx = eventstore.WithProgress(ctx, func(done int64) { reported = append(reported, done) })
	n := 0
	if err := eventstore.Each(ctx, s, eventstore.Filter{}, func(eventstore.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 2500 || !slices.Equal(reported, []int64{1000, 2000}) {
		t.Fatalf("read %d events, reported %v; want 2500 and [1000 2000]", n, reported)
	}
}
