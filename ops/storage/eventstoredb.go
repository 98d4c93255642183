package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/esdb"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// openEventStoreDB opens the events on EventStoreDB and everything else in the companion store
// (OpenCompanion).
func openEventStoreDB(ctx context.Context, cfg Config) (*Storage, error) {
	if cfg.ReadOnly {
		return nil, errReadOnly(EventStoreDB)
	}
	store, err := esdb.New(ctx, esdb.Config{URL: cfg.Store.EventStoreDB.URL, MaxEventBytes: cfg.Store.MaxEventBytes, Clock: cfg.Clock})
	if err != nil {
		return nil, fmt.Errorf("store.eventstoredb.url: %w", err)
	}
	// The client connects on its first call: ask for the log's head before the companion is
	// created, so that a server that does not answer leaves nothing written.
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	_, err = store.Head(pctx)
	cancel()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("store.eventstoredb.url: kein EventStoreDB-Server antwortet, nichts wurde geschrieben / "+
			"no EventStoreDB server answers, nothing was written: %w", err), store.Close())
	}
	st, err := OpenCompanion(ctx, cfg)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	st.Log = store
	st.closers = append(st.closers, store.Close) // closed first
	return st, nil
}

// pingTimeout bounds the first call to EventStoreDB when a store is opened.
const pingTimeout = 30 * time.Second

// OpenCompanion opens the companion store of store.backend eventstoredb, which keeps everything
// but the events: the vault, snapshots and their archive, checkpoints, Merkle tiles and seals, and
// the read models with their checkpoints — in a SQLite file (store.sqlite.path) or a PostgreSQL
// schema (store.postgres), as store.eventstoredb.companion says. Its Log is nil (Open sets the
// EventStoreDB store there); it has no VerifyLog and no SQLite file tools, which would check the
// companion's own empty log.
//
// A store that holds events of its own is refused: its seals, read models and checkpoints
// describe that log, not EventStoreDB's. The first open marks the store as a companion (a
// checkpoint named CompanionMark), and Open refuses a marked store as a backend of its own.
func OpenCompanion(ctx context.Context, cfg Config) (*Storage, error) {
	c := cfg.Store
	var st *Storage
	var field, where string
	switch c.EventStoreDB.Companion {
	case SQLite:
		scfg := SQLiteConfig(c)
		scfg.Clock, scfg.ServerLock = cfg.Clock, cfg.ServerLock
		store, err := sqlite.New(ctx, scfg)
		if err != nil {
			return nil, fmt.Errorf("store.eventstoredb.companion sqlite: %w", err)
		}
		st, field, where = sqliteStorage(store), "store.sqlite.path", c.SQLite.Path
	case Postgres:
		store, err := postgres.New(ctx, postgres.Config{URL: c.Postgres.URL, Schema: c.Postgres.Schema, MaxEventBytes: c.MaxEventBytes, Clock: cfg.Clock})
		if err != nil {
			return nil, fmt.Errorf("store.eventstoredb.companion postgres: %w", err)
		}
		st, field, where = postgresStorage(store, c.Postgres.URL), "store.postgres.schema", c.Postgres.Schema
	default:
		return nil, fmt.Errorf("store.eventstoredb.companion: %q is not one of %s, %s", c.EventStoreDB.Companion, SQLite, Postgres)
	}
	if err := beCompanion(ctx, st, field, where); err != nil {
		return nil, errors.Join(err, st.Close())
	}
	st.Backend, st.Log, st.VerifyLog, st.SQLite, st.sealable = EventStoreDB, nil, nil, nil, false
	return st, nil
}

// CompanionMark is the checkpoint that marks a store as the companion of an EventStoreDB store.
const CompanionMark = "civicflow.storage/companion-of-eventstoredb"

// beCompanion refuses a store with events of its own and marks it as a companion.
func beCompanion(ctx context.Context, st *Storage, field, where string) error {
	head, err := st.Log.Head(ctx)
	if err != nil {
		return err
	}
	if !head.IsZero() {
		return fmt.Errorf("%s %q: hält eigene Ereignisse (bis Position %s) und taugt nicht als Begleitspeicher von EventStoreDB / "+
			"holds events of its own (up to position %s), so it cannot be the companion of EventStoreDB, whose events its seals, "+
			"read models and checkpoints would not describe: name a new file or schema (store.eventstoredb.companion)", field, where, head, head)
	}
	mark, err := st.Checkpoints.Load(ctx, CompanionMark)
	if err != nil || !mark.IsZero() {
		return err
	}
	return st.Checkpoints.Save(ctx, CompanionMark, eventstore.SequencePosition(1))
}

// notCompanion refuses to open a companion store as a backend of its own: its log is empty, its
// seals and read models describe EventStoreDB's.
func notCompanion(ctx context.Context, st *Storage, field, where string) error {
	mark, err := st.Checkpoints.Load(ctx, CompanionMark)
	if err != nil || mark.IsZero() {
		return err
	}
	return fmt.Errorf("%s %q: ist der Begleitspeicher eines EventStoreDB-Speichers, dessen Ereignisse dort liegen / "+
		"is the companion store of an EventStoreDB store, whose events are kept there: open it with store.backend: eventstoredb", field, where)
}
