package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
)

// A write on a full disk (here: the store's size cap, filled by other data) must fail with
// eventstore.ErrStorageFull and write nothing; every append acknowledged before stays, and once
// room is made appends succeed again without a restart.
func TestAppend_on_a_full_disk_fails_with_ErrStorageFull_and_loses_nothing(t *testing.T) {
	const pages = 1024
	path := filepath.Join(t.TempDir(), "civicflow.db")
	s := open(t, sqlite.Config{Path: path, MaxSize: pages * 4096})
	// Leave a few pages: some appends must be acknowledged before the store is full, or the test
	// proves nothing (filled to the cap, the partly filled pages alone sometimes held none).
	sqlitetest.Fill(t, path, pages-8)
	ctx := context.Background()
	const appenders = 4
	acked := make([][]eventstore.EventData, appenders)
	var full []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range appenders {
		wg.Go(func() {
			stream := fmt.Sprintf("process-%d", i)
			for n := range 100_000 {
				e := kilobyteEvent()
				_, err := s.Append(ctx, stream, eventstore.Exact(int64(n)), e)
				if err != nil {
					mu.Lock()
					full = append(full, err)
					mu.Unlock()
					return
				}
				acked[i] = append(acked[i], e)
			}
		})
	}
	wg.Wait()
	if len(full) != appenders {
		t.Fatalf("%d of %d appenders ended with an error; the store never got full", len(full), appenders)
	}
	for _, err := range full {
		if !errors.Is(err, eventstore.ErrStorageFull) {
			t.Fatalf("an append on a full store failed with %v, want eventstore.ErrStorageFull", err)
		}
	}
	sqlitetest.Free(t, path)
	for i := range appenders { // at the acknowledged version: the refused append wrote nothing
		if _, err := s.Append(ctx, fmt.Sprintf("process-%d", i), eventstore.Exact(int64(len(acked[i]))), kilobyteEvent()); err != nil {
			t.Fatalf("after room was made, appending to process-%d at its acknowledged version %d: %v", i, len(acked[i]), err)
		}
	}
	allThere(t, s, acked)
	s.Close()
	allThere(t, open(t, sqlite.Config{Path: path}), acked)
}

// kilobyteEvent is an event of about a kilobyte.
func kilobyteEvent() eventstore.EventData {
	e := benchEvent()
	e.Data = []byte(`{"note":"` + string(bytes.Repeat([]byte("x"), 1000)) + `"}`)
	return e
}

// allThere checks that stream process-i begins with acked[i], in order, and that the log verifies.
func allThere(t *testing.T, s *sqlite.Store, acked [][]eventstore.EventData) {
	t.Helper()
	ctx := context.Background()
	total := 0
	for i, want := range acked {
		got, err := s.ReadStream(ctx, fmt.Sprintf("process-%d", i), eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < len(want) {
			t.Fatalf("process-%d has %d events, %d were acknowledged", i, len(got), len(want))
		}
		for n, e := range want {
			if got[n].ID != e.ID {
				t.Fatalf("process-%d version %d is %s, the acknowledged event was %s", i, n+1, got[n].ID, e.ID)
			}
		}
		total += len(want)
	}
	if total == 0 {
		t.Fatal("nothing was acknowledged before the store got full: the test would prove nothing")
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
