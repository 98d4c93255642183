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
	// 2: everything else the SQLite file holds, in the same shapes. person_keys: one AES-256 key
	// per person (crypto-shredding: Erase deletes the row and rewrites the table with VACUUM FULL,
	// so that no key byte stays in its files). checkpoints: consumers' positions, as two numeric
	// parts so that one upsert refuses to move back. snapshots: the latest per stream, a cache.
	// snapshot_archive: past states, never changed or deleted (the trigger refuses it).
	// merkle_hashes and seals: the log's Merkle tree cache and its signed heads (evidence).
	`CREATE TABLE person_keys (
		person_id  text        PRIMARY KEY,
		key        bytea       NOT NULL,
		created_at timestamptz NOT NULL
	);
	CREATE TABLE checkpoints (
		name       text          PRIMARY KEY,
		commit_pos numeric(20,0) NOT NULL,
		prepare_pos numeric(20,0) NOT NULL,
		updated_at timestamptz   NOT NULL
	);
	CREATE TABLE snapshots (
		stream     text   PRIMARY KEY,
		version    bigint NOT NULL,
		schema     int    NOT NULL,
		event_hash bytea  NOT NULL,
		data       bytea  NOT NULL
	);
	CREATE TABLE snapshot_archive (
		stream      text   NOT NULL,
		schema      int    NOT NULL,
		version     bigint NOT NULL,
		recorded_at bigint NOT NULL,
		event_hash  bytea  NOT NULL,
		data        bytea  NOT NULL,
		PRIMARY KEY (stream, schema, version)
	);
	CREATE INDEX snapshot_archive_recorded ON snapshot_archive (stream, schema, version, recorded_at);
	CREATE FUNCTION snapshot_archive_immutable() RETURNS trigger LANGUAGE plpgsql AS
		$$BEGIN RAISE EXCEPTION 'archived snapshots are immutable'; END$$;
	CREATE TRIGGER snapshot_archive_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON snapshot_archive
		FOR EACH STATEMENT EXECUTE FUNCTION snapshot_archive_immutable();
	CREATE TABLE merkle_hashes (
		idx  bigint PRIMARY KEY,
		hash bytea  NOT NULL
	);
	CREATE TABLE seals (
		size       bigint      PRIMARY KEY,
		signed     text        NOT NULL,
		created_at timestamptz NOT NULL
	);`,
	// 3: the Merkle tree as tiles (tlog's tiling of height 8, as in the SQLite store's migration
	// 9: one row per level and index, width = length(hashes)/32), replacing merkle_hashes: a cache
	// that every reader checks against a signed root and the sealer rebuilds from the records.
	`DROP TABLE merkle_hashes;
	CREATE TABLE merkle_tiles (
		level  int    NOT NULL,
		idx    bigint NOT NULL,
		hashes bytea  NOT NULL,
		PRIMARY KEY (level, idx)
	);`,
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
