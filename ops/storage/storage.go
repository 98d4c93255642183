package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/seal"
)

// Backends, the values of store.backend.
const (
	SQLite       = "sqlite"
	Postgres     = "postgres"
	EventStoreDB = "eventstoredb"
)

// Config configures Open.
type Config struct {
	// Store is the configuration's store section; Store.Backend chooses the backend. Required.
	Store config.Store
	// Clock gives the recorded-at time of events. Default time.Now.
	Clock func() time.Time
	// ReadOnly opens the store without writing to it, for verification and audit (SQLite only:
	// other backends refuse it, as they cannot promise it). Default false.
	ReadOnly bool
	// Peers tells a PostgreSQL store of other instances' commits (postgres.Config.Peers); other
	// backends ignore it. When it is an io.Closer, Close closes it after the store. Default nil:
	// other instances' commits are seen by polling.
	Peers postgres.Peers
	// ServerLock is set by serve: a SQLite file (the store or an EventStoreDB store's companion)
	// is opened with its server lock (sqlite.Config.ServerLock), so a second server on the same
	// file is refused with sqlite.ErrServed before it changes anything. Other backends ignore it
	// (their instances share the work through leases). Default false.
	ServerLock bool
}

// Log is the event store port as civicflow uses it: the store and the position of its last
// event.
type Log interface {
	eventstore.Store
	eventstore.HeadReader
}

// ReadModelDB holds the SQL read models and their checkpoints (projections/runner).
type ReadModelDB struct {
	// Write opens the transactions in which the runner writes a batch and its checkpoint.
	// nil on a read-only store.
	Write *sql.DB
	// Read is a query-only pool for the API's and the dashboard's reads.
	Read *sql.DB
	// Dialect is the SQL dialect of Write and Read.
	Dialect runner.Dialect
	// Scratch opens an empty database of the same dialect for one replay (verification), and
	// returns the function that discards it.
	Scratch func() (runner.DB, func() error, error)
}

// Storage is the opened backend: its ports, nil where the backend does not provide one (see
// Provides and Require).
type Storage struct {
	// Backend is the store.backend it was opened for.
	Backend string
	// Log is the event store. Always set by Open (nil in a companion: see OpenCompanion).
	Log Log
	// Vault keeps the keys that seal personal data, per person, and erases them.
	Vault engine.Vault
	// Snapshots keeps the latest snapshot of long streams.
	Snapshots eventstore.SnapshotStore
	// Archive keeps snapshots of past states.
	Archive eventstore.SnapshotArchive
	// Checkpoints keeps the event consumers' positions (webhooks, mail).
	Checkpoints messaging.CheckpointStore
	// Tiles caches the Merkle tree as tiles; Seals records the signed tree heads.
	Tiles seal.TileStore
	Seals seal.SealStore
	// ReadModels is the read models' database.
	ReadModels *ReadModelDB
	// VerifyLog checks the whole log and its recorded end and says how much it covered; nil:
	// verification checks every stream's chain over ReadAll (workflows/verify's default).
	VerifyLog func(ctx context.Context) (events int64, streams int, err error)
	// SQLite is the SQLite store for what only a SQLite file has (its write-lock metric, the
	// append count, backup and restore); nil on other backends.
	SQLite *sqlite.Store
	// SoleWriter reports that the Log is a SQLite file whose server lock this process holds: no
	// other server appends to its streams (engine.Config.SoleWriter).
	SoleWriter bool

	sealable bool // the Log's positions number its events 1, 2, 3, … (see Sealing)
	closers  []func() error
}

// Open opens the backend cfg.Store.Backend names and returns its ports. The caller closes it.
func Open(ctx context.Context, cfg Config) (*Storage, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	switch cfg.Store.Backend {
	case SQLite:
		return openSQLite(ctx, cfg)
	case Postgres:
		return openPostgres(ctx, cfg)
	case EventStoreDB:
		return openEventStoreDB(ctx, cfg)
	}
	return nil, fmt.Errorf("store.backend: %q is not one of %s, %s, %s", cfg.Store.Backend, SQLite, Postgres, EventStoreDB)
}

// Close closes every part, the last opened first.
func (s *Storage) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// SQLiteConfig maps the configuration's store section to the SQLite store's settings.
func SQLiteConfig(c config.Store) sqlite.Config {
	busy := c.SQLite.BusyTimeout
	if busy == 0 {
		busy = -1 // configured "0": fail at once (sqlite.Config reads 0 as its default)
	}
	return sqlite.Config{
		Path:          c.SQLite.Path,
		Synchronous:   c.SQLite.Synchronous,
		AllowDataLoss: c.SQLite.AllowDataLoss,
		BusyTimeout:   busy,
		MaxBatch:      c.SQLite.MaxBatch,
		MaxEventBytes: c.MaxEventBytes,
	}
}

func openSQLite(ctx context.Context, cfg Config) (*Storage, error) {
	scfg := SQLiteConfig(cfg.Store)
	scfg.Clock, scfg.ReadOnly, scfg.ServerLock = cfg.Clock, cfg.ReadOnly, cfg.ServerLock
	store, err := sqlite.New(ctx, scfg)
	if err != nil {
		return nil, err
	}
	st := sqliteStorage(store)
	st.SoleWriter = store.HoldsServerLock()
	if err := notCompanion(ctx, st, "store.sqlite.path", cfg.Store.SQLite.Path); err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return st, nil
}

// sqliteStorage returns every part of a SQLite store.
func sqliteStorage(store *sqlite.Store) *Storage {
	return &Storage{
		Backend:     SQLite,
		Log:         store,
		Vault:       store.Vault(),
		Snapshots:   store.Snapshots(),
		Archive:     store.Archive(),
		Checkpoints: store.Checkpoints(),
		Tiles:       store.MerkleTiles(),
		Seals:       store.Seals(),
		ReadModels: &ReadModelDB{Write: store.ProjectionDB(), Read: store.ProjectionReadDB(), Dialect: runner.SQLite,
			Scratch: func() (runner.DB, func() error, error) {
				db, err := sqlite.OpenScratch()
				if err != nil {
					return nil, nil, err
				}
				return db, db.Close, nil
			}},
		VerifyLog: func(ctx context.Context) (int64, int, error) {
			res, err := store.VerifyLog(ctx)
			return res.Events, res.Streams, err
		},
		SQLite:   store,
		sealable: true,
		closers:  []func() error{store.Close},
	}
}

// describe names the backend in messages: its key value and, for a server, where it is.
func describe(backend string) string {
	return fmt.Sprintf("store.backend %q", backend)
}

// joinParts lists parts for a message: "vault, snapshots and seals".
func joinParts(parts []Part) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = string(p)
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
