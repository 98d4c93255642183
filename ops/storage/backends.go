package storage

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/esdb"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/projections/runner"
)

// errReadOnly refuses a read-only open of a server backend: only a SQLite file can be opened so
// that nothing is written.
func errReadOnly(backend string) error {
	return fmt.Errorf("%s: nur eine SQLite-Datei lässt sich schreibgeschützt öffnen / only a SQLite file can be opened read-only (--db PATH)", describe(backend))
}

func openPostgres(ctx context.Context, cfg Config) (*Storage, error) {
	if cfg.ReadOnly {
		return nil, errReadOnly(Postgres)
	}
	var closers []func() error
	if c, ok := cfg.Peers.(io.Closer); ok {
		closers = append(closers, c.Close) // closed last: after the store stopped following it
	}
	store, err := postgres.New(ctx, postgres.Config{URL: cfg.Store.Postgres.URL, Schema: cfg.Store.Postgres.Schema,
		MaxEventBytes: cfg.Store.MaxEventBytes, Clock: cfg.Clock, Peers: cfg.Peers})
	if err != nil {
		for _, c := range closers {
			c()
		}
		return nil, err
	}
	db := OpenPostgresReadModels(store.Pool())
	return &Storage{Backend: Postgres, Log: store, Vault: store.Vault(), Snapshots: store.Snapshots(), Archive: store.Archive(),
		Checkpoints: store.Checkpoints(), Tiles: store.MerkleTiles(), Seals: store.Seals(),
		ReadModels: &ReadModelDB{Write: db, Read: db, Dialect: runner.PostgreSQL, Scratch: PostgresScratch(cfg.Store.Postgres.URL)},
		closers:    append(closers, store.Close, db.Close)}, nil
}

func openEventStoreDB(ctx context.Context, cfg Config) (*Storage, error) {
	if cfg.ReadOnly {
		return nil, errReadOnly(EventStoreDB)
	}
	store, err := esdb.New(ctx, esdb.Config{URL: cfg.Store.EventStoreDB.URL, MaxEventBytes: cfg.Store.MaxEventBytes, Clock: cfg.Clock})
	if err != nil {
		return nil, err
	}
	return &Storage{Backend: EventStoreDB, Log: headless{store}, closers: []func() error{store.Close}}, nil
}

// errNoHead is what the EventStoreDB log answers for its head: the adapter cannot tell it yet.
var errNoHead = errors.New("esdb: the log's head is not available through this adapter yet")

// headless is the EventStoreDB store, whose adapter cannot tell the log's head yet.
type headless struct{ *esdb.Store }

// Head fails with errNoHead.
func (headless) Head(context.Context) (eventstore.Position, error) {
	return eventstore.Start, errNoHead
}
