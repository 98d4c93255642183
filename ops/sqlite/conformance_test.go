package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestConformance(t *testing.T) {
	eventstoretest.Run(t, func(t *testing.T, clock func() time.Time) eventstore.Store {
		return open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "civicflow.db"), Clock: clock})
	}, eventstoretest.Features{IdempotentAny: true, GlobalEventIDs: true})
}

// open opens a store for one test and closes it at the end.
func open(t testing.TB, cfg sqlite.Config) *sqlite.Store {
	t.Helper()
	s, err := sqlite.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.Path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestArchiveConformance(t *testing.T) {
	eventstoretest.RunArchive(t, func(t *testing.T) eventstore.SnapshotArchive {
		return open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "civicflow.db")}).Archive()
	})
}
