package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestObserveWriteLock_reports_every_holder: each of the store's write connections reports how
// long its transactions held the store's write lock, by holder, once the observer is set.
func TestObserveWriteLock_reports_every_holder(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	var mu sync.Mutex
	held := map[string][]time.Duration{}
	s.ObserveWriteLock(func(holder string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		held[holder] = append(held[holder], d)
	})
	if _, err := s.Append(ctx, "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoints().Save(ctx, "group/process", eventstore.SequencePosition(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vault().Seal(ctx, "0190a000-0000-7000-8000-000000000001", "Erika Musterfrau"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProjectionDB().ExecContext(ctx, `CREATE TABLE lock_probe (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range []string{sqlite.HolderEvents, sqlite.HolderCheckpoints, sqlite.HolderVault, sqlite.HolderReadModels} {
		if len(held[h]) == 0 {
			t.Errorf("no report from %s (reports: %v)", h, held)
		}
		for _, d := range held[h] {
			if d <= 0 || d > time.Minute {
				t.Errorf("%s held the lock for %s", h, d)
			}
		}
	}
	s.ObserveWriteLock(nil)
	before := len(held[sqlite.HolderEvents])
	mu.Unlock()
	if _, err := s.Append(ctx, "process-1", eventstore.Exact(1), benchEvent()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(held[sqlite.HolderEvents]) != before {
		t.Error("reports went on after ObserveWriteLock(nil)")
	}
}
