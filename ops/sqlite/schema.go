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
	// 8: the log in fewer bytes (issue 16). event_log keeps what events kept, with the stream and
	// the type as numbers into event_streams and event_names (which also numbers categories:
	// a stream name up to and including its first "-") and the rest of the record in body,
	// compact or raw (compact.go); the canonical record, which the chain hash covers, is
	// rebuilt from them. The events view shows the rows as before, with the rebuilt record
	// (civicflow_record, a function this program registers), and its triggers write through it
	// (raw bodies): tools and tests that read or change events keep working. compactLog moves
	// the rows of events into event_log in the same transaction.
	`ALTER TABLE events RENAME TO events_v6;
	CREATE TABLE event_names (
		id   INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE
	) STRICT;
	CREATE TABLE event_streams (
		id       INTEGER PRIMARY KEY,
		name     TEXT    NOT NULL UNIQUE,
		category INTEGER NOT NULL
	) STRICT;
	CREATE TABLE event_log (
		position INTEGER PRIMARY KEY,
		stream   INTEGER NOT NULL,
		version  INTEGER NOT NULL,
		category INTEGER NOT NULL,
		type     INTEGER NOT NULL,
		event_id BLOB    NOT NULL,
		body     BLOB    NOT NULL,
		hash     BLOB    NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX event_log_stream_version ON event_log (stream, version);
	CREATE UNIQUE INDEX event_log_event_id ON event_log (event_id);
	CREATE INDEX event_log_category_position ON event_log (category, position);
	CREATE VIEW events (position, stream, version, event_id, type, record, hash) AS
		SELECT l.position, s.name, l.version, l.event_id, t.name,
			civicflow_record(l.event_id, s.name, l.version, t.name, l.body), l.hash
		FROM event_log l JOIN event_streams s ON s.id = l.stream JOIN event_names t ON t.id = l.type;
	CREATE TRIGGER events_insert INSTEAD OF INSERT ON events BEGIN
		INSERT INTO event_names (name) VALUES (NEW.type), (substr(NEW.stream, 1, instr(NEW.stream, '-'))) ON CONFLICT DO NOTHING;
		INSERT INTO event_streams (name, category) VALUES (NEW.stream,
			(SELECT id FROM event_names WHERE name = substr(NEW.stream, 1, instr(NEW.stream, '-')))) ON CONFLICT DO NOTHING;
		INSERT INTO event_log (position, stream, version, category, type, event_id, body, hash) SELECT
			NEW.position, s.id, NEW.version, s.category, (SELECT id FROM event_names WHERE name = NEW.type),
			NEW.event_id, NEW.record, NEW.hash FROM event_streams s WHERE s.name = NEW.stream;
	END;
	CREATE TRIGGER events_update INSTEAD OF UPDATE ON events BEGIN
		INSERT INTO event_names (name) VALUES (NEW.type), (substr(NEW.stream, 1, instr(NEW.stream, '-'))) ON CONFLICT DO NOTHING;
		INSERT INTO event_streams (name, category) VALUES (NEW.stream,
			(SELECT id FROM event_names WHERE name = substr(NEW.stream, 1, instr(NEW.stream, '-')))) ON CONFLICT DO NOTHING;
		UPDATE event_log SET position = NEW.position, stream = s.id, version = NEW.version, category = s.category,
			type = (SELECT id FROM event_names WHERE name = NEW.type), event_id = NEW.event_id, body = NEW.record, hash = NEW.hash
			FROM (SELECT id, category FROM event_streams WHERE name = NEW.stream) AS s WHERE event_log.position = OLD.position;
	END;
	CREATE TRIGGER events_delete INSTEAD OF DELETE ON events BEGIN
		DELETE FROM event_log WHERE position = OLD.position;
	END;`,
	// 9: the Merkle tree as tiles (tlog's tiling of height 8: a tile holds up to 256 hashes of
	// stored-hash level 8*level, tile idx of its level; width = length(hashes)/32), so that a
	// seal extends the tree from the last head's tiles instead of recomputing it (issue 16). A
	// cache like merkle_hashes before it, which it replaces: every reader checks the tiles against
	// a signed root, and the sealer rebuilds them from the records.
	`DROP TABLE merkle_hashes;
	CREATE TABLE merkle_tiles (
		level  INTEGER NOT NULL,
		idx    INTEGER NOT NULL,
		hashes BLOB    NOT NULL,
		PRIMARY KEY (level, idx)
	) STRICT;`,
	// 10: snapshots stored compressed (issue 16: the process list's snapshot was 32 bytes per
	// event of a 210,000-event history). encoding says how data is stored: 0 as it is,
	// 1 DEFLATE (snapshotDeflate). Rows written before keep 0.
	`ALTER TABLE snapshots ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;`,
	// 11: the log by category on the category alone (issue 16: 16 -> 10 bytes per event): an
	// index entry ends with the row's rowid, which is the position, so (category) is ordered as
	// (category, position) was, and a read seeks "category = ? AND rowid > ?" in it the same way;
	// the old index held the position twice.
	`DROP INDEX event_log_category_position;
	CREATE INDEX event_log_category ON event_log (category);`,
}

// fills are the migrations' steps in Go, run right after the SQL of the migration they belong to
// (by number), in the same transaction.
var fills = map[int]func(context.Context, *sql.Tx) error{7: fillLegacyEventIDs, 8: compactLog}

// SchemaVersion is the schema version this program writes.
var SchemaVersion = len(migrations)

// migrate brings the schema up to SchemaVersion in one transaction.
func migrate(ctx context.Context, conn *sql.Conn) error {
	return migrateTo(ctx, conn, len(migrations))
}

// migrateTo brings the schema up to version target in one transaction.
func migrateTo(ctx context.Context, conn *sql.Conn, target int) error {
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
	for v := current + 1; v <= target; v++ {
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
