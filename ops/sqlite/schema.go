package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; migration i+1 is migrations[i]. Never change a migration that
// has shipped: add a new one.
var migrations = []string{
	// 1: the event log. position is the global log (contiguous from 1); record holds the canonical
	// bytes that the chain hash covers; stream, version, event_id and type are copies of fields of
	// the record, kept as columns for indexes and filters (Verify checks they agree). log_head
	// remembers the last position so that a removed tail is noticed.
	`CREATE TABLE events (
		position INTEGER PRIMARY KEY,
		stream   TEXT    NOT NULL,
		version  INTEGER NOT NULL,
		event_id BLOB    NOT NULL,
		type     TEXT    NOT NULL,
		record   BLOB    NOT NULL,
		hash     BLOB    NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX events_stream_version ON events (stream, version);
	CREATE UNIQUE INDEX events_event_id ON events (event_id);
	CREATE TABLE log_head (
		id       INTEGER PRIMARY KEY CHECK (id = 1),
		position INTEGER NOT NULL
	) STRICT;
	INSERT INTO log_head (id, position) VALUES (1, 0);`,
	// 2: checkpoints of event consumers (projections, Watermill consumer groups), saved with
	// position as written by eventstore.Position.String; and the per-person keys that encrypt
	// personal data (crypto-shredding: erasing a person deletes the row; secure_delete zeroes it).
	`CREATE TABLE checkpoints (
		name       TEXT PRIMARY KEY,
		position   TEXT NOT NULL,
		updated_at TEXT NOT NULL
	) STRICT;
	CREATE TABLE person_keys (
		person_id  TEXT PRIMARY KEY,
		key        BLOB NOT NULL,
		created_at TEXT NOT NULL
	) STRICT;`,
	// 3: snapshots of aggregates, a cache that spares replaying long streams. event_hash is the
	// chain hash of the stream's event at version, so a snapshot that does not match the log is
	// ignored.
	`CREATE TABLE snapshots (
		stream     TEXT PRIMARY KEY,
		version    INTEGER NOT NULL,
		schema     INTEGER NOT NULL,
		event_hash BLOB NOT NULL,
		data       BLOB NOT NULL
	) STRICT;`,
	// 4: the global log as a Merkle tree (RFC 6962, tlog's stored-hash order) and the signed tree
	// heads (seals). The hashes are a cache that verification recomputes; the seals are evidence.
	`CREATE TABLE merkle_hashes (
		idx  INTEGER PRIMARY KEY,
		hash BLOB NOT NULL
	) STRICT;
	CREATE TABLE seals (
		size       INTEGER PRIMARY KEY,
		signed     TEXT NOT NULL,
		created_at TEXT NOT NULL
	) STRICT;`,
	// 5: the log by category and position, so that a reader of one category (a stream-name prefix
	// up to and including its first "-", such as "token-") seeks to its next events instead of
	// scanning every event of other categories after its position (issue 16: the token registry's
	// refresh scanned the whole tail of the log). readAllQuery uses exactly this expression.
	`CREATE INDEX events_category_position ON events (substr(stream, 1, instr(stream, '-')), position);`,
	// 6: archived snapshots of past states (every so many versions of a stream), so that a state
	// at a past version or instant replays only the events after the nearest one. Unlike
	// snapshots they are never replaced: the triggers refuse to change or delete one. recorded_at
	// is the recorded time (Unix nanoseconds) of the event at version, event_hash its chain hash;
	// the index lets the search for an instant skip rows without reading their data.
	`CREATE TABLE snapshot_archive (
		stream      TEXT    NOT NULL,
		schema      INTEGER NOT NULL,
		version     INTEGER NOT NULL,
		recorded_at INTEGER NOT NULL,
		event_hash  BLOB    NOT NULL,
		data        BLOB    NOT NULL,
		PRIMARY KEY (stream, schema, version)
	) STRICT;
	CREATE INDEX snapshot_archive_recorded ON snapshot_archive (stream, schema, version, recorded_at);
	CREATE TRIGGER snapshot_archive_no_update BEFORE UPDATE ON snapshot_archive
	BEGIN SELECT RAISE(ABORT, 'archived snapshots are immutable'); END;
	CREATE TRIGGER snapshot_archive_no_delete BEFORE DELETE ON snapshot_archive
	BEGIN SELECT RAISE(ABORT, 'archived snapshots are immutable'); END;`,
	// 7: the IDs that events recorded before event IDs were derived from stream and command
	// (eventstore.CommandEventID) would have had, so that Find recognises their commands too
	// (issue 16: a process no longer keeps every command ID it handled). fillLegacyEventIDs fills
	// it once from the events already recorded; later events carry their derived IDs themselves,
	// so nothing is added to it after this migration.
	`CREATE TABLE legacy_event_ids (
		id      BLOB    PRIMARY KEY,
		stream  TEXT    NOT NULL,
		version INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;`,
}

// fills are the migrations' steps in Go, run right after the SQL of the migration they belong to
// (by number), in the same transaction.
var fills = map[int]func(context.Context, *sql.Tx) error{7: fillLegacyEventIDs}

// SchemaVersion is the schema version this program writes.
var SchemaVersion = len(migrations)

// migrate brings the schema up to SchemaVersion in one transaction.
func migrate(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin migration: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current > len(migrations) {
		return fmt.Errorf("sqlite: database schema version %d is newer than this program's %d: upgrade civicflow", current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("sqlite: migration %d: %w", v, err)
		}
		if fill := fills[v]; fill != nil {
			if err := fill(ctx, tx); err != nil {
				return fmt.Errorf("sqlite: migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ'))`, v); err != nil {
			return fmt.Errorf("sqlite: record migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: read schema version (is this a civicflow database?): %w", err)
	}
	return v, nil
}
