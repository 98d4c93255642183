package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestWALCheckpoint_runs_in_the_background: the store's write connections leave the WAL to the
// background checkpointer (SQLite's own checkpoint in a commit only past the backstop), which
// copies the committed pages into the database file shortly after the writes, and no acknowledged
// append is lost by it.
func TestWALCheckpoint_runs_in_the_background(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, sqlite.Config{Path: path})
	ctx := context.Background()
	var pages int
	if err := s.ProjectionDB().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != sqlite.WALBackstopPages {
		t.Fatalf("a write connection checkpoints at %d pages, want the backstop %d", pages, sqlite.WALBackstopPages)
	}
	type observed struct {
		took             time.Duration
		walPages, copied int
	}
	seen := make(chan observed, 100)
	s.ObserveCheckpoints(func(took time.Duration, walPages, copied int) {
		select {
		case seen <- observed{took, walPages, copied}:
		default:
		}
	})
	for i := range 200 {
		if _, err := s.Append(ctx, "process-1", eventstore.Exact(int64(i)), benchEvent()); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		runs, failures := sqlite.WALCheckpoints(s)
		if failures > 0 {
			t.Fatalf("%d of %d background checkpoints failed", failures, runs)
		}
		if runs > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no background checkpoint within 10 s of 200 appends")
		}
	}
	// The observer was told of it: a checkpoint that took time and copied the WAL's pages.
	select {
	case o := <-seen:
		if o.took <= 0 || o.walPages <= 0 || o.copied <= 0 || o.copied > o.walPages {
			t.Fatalf("observed checkpoint: took %v, WAL %d pages, %d copied; want a duration and 0 < copied <= WAL pages", o.took, o.walPages, o.copied)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a background checkpoint ran, but its observer was not told")
	}
	// Everything the WAL held is in the database file now: a checkpoint finds nothing left to copy.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var busy, frames, copied int
	if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	if busy != 0 || frames != copied {
		t.Fatalf("after the background checkpoint: busy %d, %d frames in the WAL, %d copied", busy, frames, copied)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := open(t, sqlite.Config{Path: path})
	events, err := again.ReadStream(ctx, "process-1", eventstore.ReadStreamOptions{})
	if err != nil || len(events) != 200 {
		t.Fatalf("after a restart: %d events, %v; want 200", len(events), err)
	}
}
