package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storetest"
)

// The store's parts besides the log run the same suites as the PostgreSQL adapter's (ops/storetest).

func openTemp(t *testing.T) *sqlite.Store {
	return open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "civicflow.db")})
}

func TestVaultConformance(t *testing.T) {
	storetest.RunVault(t, func(t *testing.T) storetest.Vault { return openTemp(t).Vault() },
		storetest.VaultFeatures{Erased: sqlite.ErrErased})
}

func TestSnapshotConformance(t *testing.T) {
	storetest.RunSnapshots(t, func(t *testing.T) eventstore.SnapshotStore { return openTemp(t).Snapshots() })
}

func TestCheckpointConformance(t *testing.T) {
	storetest.RunCheckpoints(t, func(t *testing.T) messaging.CheckpointStore { return openTemp(t).Checkpoints() },
		storetest.CheckpointFeatures{Backwards: sqlite.ErrCheckpointBackwards})
}

func TestSealConformance(t *testing.T) {
	storetest.RunSeals(t, func(t *testing.T) storetest.SealParts {
		s := openTemp(t)
		return storetest.SealParts{Seals: s.Seals(), Tiles: s.MerkleTiles()}
	})
}

func TestLinearizable(t *testing.T) {
	storetest.RunLinearizable(t, func(t *testing.T) []eventstore.Store { return []eventstore.Store{openTemp(t)} })
}
