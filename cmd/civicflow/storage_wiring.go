package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storage"
)

// openStorage opens the configured backend for a command that needs parts. A backend that does
// not provide all of them is refused before anything is opened, naming every missing part
// (exit 2). readOnly opens a SQLite file without writing to it.
func openStorage(cmd *cobra.Command, cfg config.Config, readOnly bool, parts ...storage.Part) (*storage.Storage, error) {
	if err := storage.Check(cfg.Store.Backend, parts...); err != nil {
		return nil, &usageError{err}
	}
	st, err := storage.Open(cmd.Context(), storage.Config{Store: cfg.Store, ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	if err := st.Require(parts...); err != nil {
		return nil, errors.Join(&usageError{err}, st.Close())
	}
	return st, nil
}

// sqliteOnly refuses a command that works on a SQLite file (backup, restore, store verify) when
// the configured backend is another one (exit 2): such a store is copied and checked with its
// server's own tools (EventStoreDB's events with EventStoreDB's, its companion with SQLite's or
// PostgreSQL's).
func sqliteOnly(cmd *cobra.Command, cfg config.Config) error {
	if cfg.Store.Backend == storage.SQLite {
		return nil
	}
	return &usageError{fmt.Errorf("%s arbeitet nur mit einer SQLite-Datei, store.backend ist %q / works on a SQLite file only, store.backend is %q: "+
		"--db PATH nennt eine SQLite-Datei / --db PATH names a SQLite file; PostgreSQL: pg_dump and pg_restore",
		cmd.CommandPath(), cfg.Store.Backend, cfg.Store.Backend)}
}

// sqliteConfig maps the configuration to the embedded store's settings, for the commands that
// work on a SQLite file.
func sqliteConfig(cfg config.Config) sqlite.Config { return storage.SQLiteConfig(cfg.Store) }

// storeAttrs describes the store for the log: the backend and its file or schema (never a
// server's URL, which may hold a password), on EventStoreDB its companion's, and on PostgreSQL
// how instances tell each other of commits (cluster.notify).
func storeAttrs(cfg config.Config) []any {
	s := cfg.Store
	switch s.Backend {
	case storage.SQLite:
		return []any{"backend", s.Backend, "db", s.SQLite.Path}
	case storage.Postgres:
		return []any{"backend", s.Backend, "schema", s.Postgres.Schema, "cluster_notify", cfg.Cluster.Notify}
	case storage.EventStoreDB:
		if s.EventStoreDB.Companion == storage.Postgres {
			return []any{"backend", s.Backend, "companion", s.EventStoreDB.Companion, "schema", s.Postgres.Schema}
		}
		return []any{"backend", s.Backend, "companion", s.EventStoreDB.Companion, "db", s.SQLite.Path}
	}
	return []any{"backend", s.Backend}
}

// leaseScope returns where serve's instances share their leases (ops/lease): the PostgreSQL
// server and schema of a postgres store or of an EventStoreDB store's postgres companion; empty
// otherwise (one instance on a SQLite file holds every lease).
func leaseScope(cfg config.Config) (url, scope string) {
	s := cfg.Store
	if s.Backend == storage.Postgres || s.Backend == storage.EventStoreDB && s.EventStoreDB.Companion == storage.Postgres {
		return s.Postgres.URL, s.Postgres.Schema
	}
	return "", ""
}
