package postgres_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/storetest"
)

// The store's parts besides the log run the same suites as the SQLite adapter's (ops/storetest).

func TestVaultConformance(t *testing.T) {
	storetest.RunVault(t, func(t *testing.T) storetest.Vault { return open(t, postgres.Config{}).Vault() },
		storetest.VaultFeatures{Erased: postgres.ErrErased})
}

func TestSnapshotConformance(t *testing.T) {
	storetest.RunSnapshots(t, func(t *testing.T) eventstore.SnapshotStore { return open(t, postgres.Config{}).Snapshots() })
}

func TestArchiveConformance(t *testing.T) {
	eventstoretest.RunArchive(t, func(t *testing.T) eventstore.SnapshotArchive { return open(t, postgres.Config{}).Archive() })
}

func TestCheckpointConformance(t *testing.T) {
	storetest.RunCheckpoints(t, func(t *testing.T) messaging.CheckpointStore { return open(t, postgres.Config{}).Checkpoints() },
		storetest.CheckpointFeatures{Backwards: postgres.ErrCheckpointBackwards})
}

func TestSealConformance(t *testing.T) {
	storetest.RunSeals(t, func(t *testing.T) storetest.SealParts {
		s := open(t, postgres.Config{})
		return storetest.SealParts{Seals: s.Seals()} // no seal.TileStore yet (merkle_tiles)
	})
}

// Two stores on one schema, as two instances on one database: clients alternate between them.
func TestLinearizable(t *testing.T) {
	storetest.RunLinearizable(t, func(t *testing.T) []eventstore.Store {
		one := open(t, postgres.Config{})
		two, err := postgres.New(context.Background(), postgres.Config{URL: one.URL(), Schema: one.Schema()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { two.Close() })
		return []eventstore.Store{one, two}
	})
}
