package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are applied in order; migration i+1 is migrations[i]. Never change a migration that
// has shipped: add a new one.
var migrations = []string{
	// 1: the event log, as in the SQLite adapter: position is the global log (contiguous from 1,
	// assigned under log_head's row lock, so commit order is position order); record holds the
	// canonical bytes the chain hash covers; stream, version, event_id and type are copies of the
	// record's fields for indexes (Verify checks they agree); category is the stream's name up to
	// its first "-", so that a reader of a rare category seeks its next events. log_head holds the
	// last position (a removed tail is noticed) and the last recorded-at time.
	`CREATE TABLE events (
		position bigint PRIMARY KEY,
		stream   text   NOT NULL,
		version  bigint NOT NULL,
		event_id bytea  NOT NULL,
		type     text   NOT NULL,
		record   bytea  NOT NULL,
		hash     bytea  NOT NULL,
		category text   GENERATED ALWAYS AS (substr(stream, 1, strpos(stream, '-'))) STORED
	);
	CREATE UNIQUE INDEX events_stream_version ON events (stream, version);
	CREATE UNIQUE INDEX events_event_id ON events (event_id);
	CREATE INDEX events_category_position ON events (category, position);
	CREATE TABLE log_head (
		id        int    PRIMARY KEY CHECK (id = 1),
		position  bigint NOT NULL,
		last_time bigint NOT NULL
	);
	INSERT INTO log_head (id, position, last_time) VALUES (1, 0, 0);`,
}

// SchemaVersion is the schema version this program writes.
var SchemaVersion = len(migrations)

// migrate creates the schema when missing and brings it up to SchemaVersion in one transaction,
// under an advisory lock so that instances starting together migrate once.
func migrate(ctx context.Context, conn *pgx.Conn, schema string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin migration: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('civicflow.migrate.' || $1))`, schema); err != nil {
		return fmt.Errorf("postgres: lock for migration: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: create schema %s: %w", schema, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    int PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("postgres: read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("postgres: schema %s has version %d, newer than this program's %d: upgrade civicflow", schema, current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("postgres: migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("postgres: record migration %d: %w", v, err)
		}
	}
	return tx.Commit(ctx)
}
