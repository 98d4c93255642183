package postgres_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/storetest"
	"github.com/civicflow/civicflow/workflows/seal"
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
		return storetest.SealParts{Seals: s.Seals(), Tiles: s.MerkleTiles()}
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

// The sealer runs on PostgreSQL's tiles: a full first seal, an incremental second one, and the
// heads verify against the log with the tiles as the cache.
func TestSealer_seals_incrementally_on_postgres_tiles(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Config{})
	appendN := func(n int) {
		for i := range n {
			e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`)}
			if _, err := s.Append(ctx, fmt.Sprintf("process-%d", i%5), eventstore.Any, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	skey, vkey, err := seal.GenerateKey("civicflow-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	sealer, err := seal.New(seal.Config{Store: s, Tiles: s.MerkleTiles(), Seals: s.Seals(), Signer: signer, Verifier: verifier, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{300, 17} {
		appendN(n)
		if _, _, err := sealer.Seal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	heads, err := s.Seals().List(ctx)
	if err != nil || len(heads) != 2 {
		t.Fatalf("heads = %d, %v; want 2", len(heads), err)
	}
	res, err := seal.Verify(ctx, seal.VerifyConfig{Store: s, Heads: heads, Key: verifier, Cache: seal.TileHashes(s.MerkleTiles())})
	if err != nil || res.Events != 317 {
		t.Fatalf("verify = %+v, %v", res, err)
	}
}
