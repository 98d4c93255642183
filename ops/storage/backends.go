package storage

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	st := postgresStorage(store, cfg.Store.Postgres.URL)
	st.closers = append(closers, st.closers...)
	if err := notCompanion(ctx, st, "store.postgres.schema", cfg.Store.Postgres.Schema); err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return st, nil
}

// postgresStorage returns every part of a PostgreSQL store opened with url, the read models on
// a pool of its own over the store's connections.
func postgresStorage(store *postgres.Store, url string) *Storage {
	db := OpenPostgresReadModels(store.Pool())
	return &Storage{Backend: Postgres, Log: store, Vault: store.Vault(), Snapshots: store.Snapshots(), Archive: store.Archive(),
		Checkpoints: store.Checkpoints(), Tiles: store.MerkleTiles(), Seals: store.Seals(),
		ReadModels: &ReadModelDB{Write: db, Read: db, Dialect: runner.PostgreSQL, Scratch: PostgresScratch(url)},
		sealable:   true, closers: []func() error{store.Close, db.Close}}
}
