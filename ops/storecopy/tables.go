package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// table is one copied table: the source's query, the target's columns, and the conversion of a
// source row into the target's.
type table struct {
	name  string
	query string
	cols  []string
	scan  func(*sql.Rows) ([]any, error)
	count func(*Counts) *int64
}

var tables = []table{
	{"person_keys", `SELECT person_id, key, created_at FROM person_keys ORDER BY person_id`,
		[]string{"person_id", "key", "created_at"}, scanKey, func(c *Counts) *int64 { return &c.Keys }},
	{"seals", `SELECT size, signed, created_at FROM seals ORDER BY size`,
		[]string{"size", "signed", "created_at"}, scanSeal, func(c *Counts) *int64 { return &c.Seals }},
	{"snapshots", `SELECT stream, version, schema, event_hash, data, encoding FROM snapshots ORDER BY stream`,
		[]string{"stream", "version", "schema", "event_hash", "data"}, scanSnapshot, func(c *Counts) *int64 { return &c.Snapshots }},
	{"snapshot_archive", `SELECT stream, schema, version, recorded_at, event_hash, data FROM snapshot_archive ORDER BY stream, schema, version`,
		[]string{"stream", "schema", "version", "recorded_at", "event_hash", "data"},
		scanAs(new(string), new(int64), new(int64), new(int64), new([]byte), new([]byte)), func(c *Counts) *int64 { return &c.Archived }},
	{"checkpoints", `SELECT name, position, updated_at FROM checkpoints ORDER BY name`,
		[]string{"name", "commit_pos", "prepare_pos", "updated_at"}, scanCheckpoint, func(c *Counts) *int64 { return &c.Checkpoints }},
}

// copyTables copies every table but the events, counting the rows into c.
func copyTables(ctx context.Context, src *sqlite.Store, tx pgx.Tx, c *Counts) error {
	db := src.ProjectionReadDB()
	for _, t := range tables {
		rows, err := db.QueryContext(ctx, t.query)
		if err != nil {
			return fmt.Errorf("storecopy: read the source's %s: %w", t.name, err)
		}
		s := &rowSource{rows: rows, scan: t.scan, n: t.count(c)}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, s)
		rows.Close()
		if s.err != nil {
			err = s.err
		}
		if err != nil {
			return fmt.Errorf("storecopy: copy %s: %w", t.name, err)
		}
	}
	return nil
}

// rowSource is a pgx.CopyFromSource over the source's rows.
type rowSource struct {
	rows *sql.Rows
	scan func(*sql.Rows) ([]any, error)
	n    *int64
	row  []any
	err  error
}

func (s *rowSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	s.row, s.err = s.scan(s.rows)
	if s.err != nil {
		return false
	}
	*s.n++
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.row, nil }

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// scanAs scans the columns into fresh values of the pointers' types and returns the values.
func scanAs(ptrs ...any) func(*sql.Rows) ([]any, error) {
	return func(rows *sql.Rows) ([]any, error) {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(ptrs))
		for i, p := range ptrs {
			switch p := p.(type) {
			case *int64:
				out[i] = *p
			case *string:
				out[i] = *p
			case *[]byte:
				out[i] = append([]byte(nil), *p...)
			}
		}
		return out, nil
	}
}

// parseTime reads a time the SQLite store wrote (RFC 3339 with nanoseconds).
func parseTime(what, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%s %q: %w", what, s, err)
	}
	return t, nil
}

func scanKey(rows *sql.Rows) ([]any, error) {
	var person, created string
	var key []byte
	if err := rows.Scan(&person, &key, &created); err != nil {
		return nil, err
	}
	at, err := parseTime("person_keys.created_at of "+person, created)
	return []any{person, key, at}, err
}

// scanSnapshot reads a snapshot row with its data as saved (SQLite stores large ones compressed).
func scanSnapshot(rows *sql.Rows) ([]any, error) {
	var stream string
	var version, schema int64
	var hash, data []byte
	var encoding int
	if err := rows.Scan(&stream, &version, &schema, &hash, &data, &encoding); err != nil {
		return nil, err
	}
	data, err := sqlite.SnapshotData(data, encoding)
	if err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", stream, err)
	}
	return []any{stream, version, schema, append([]byte(nil), hash...), append([]byte(nil), data...)}, nil
}

func scanSeal(rows *sql.Rows) ([]any, error) {
	var size int64
	var signed, created string
	if err := rows.Scan(&size, &signed, &created); err != nil {
		return nil, err
	}
	at, err := parseTime(fmt.Sprintf("seals.created_at of size %d", size), created)
	return []any{size, signed, at}, err
}

func scanCheckpoint(rows *sql.Rows) ([]any, error) {
	var name, position, updated string
	if err := rows.Scan(&name, &position, &updated); err != nil {
		return nil, err
	}
	pos, err := eventstore.ParsePosition(position)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %q: %w", name, err)
	}
	at, err := parseTime("checkpoints.updated_at of "+name, updated)
	num := func(u uint64) pgtype.Numeric { return pgtype.Numeric{Int: new(big.Int).SetUint64(u), Valid: true} }
	return []any{name, num(pos.Commit()), num(pos.Prepare()), at}, err
}
