package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// compactLog is the Go step of migration 8: it numbers the streams, categories and types of
// events_v6 and moves its rows into event_log, each with a compact body when that rebuilds its
// record exactly (else the record itself), then drops events_v6. A record that does not decode
// is kept raw, so that verification still reports it where it was.
func compactLog(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`INSERT INTO event_names (name) SELECT DISTINCT type FROM events_v6 WHERE true ON CONFLICT DO NOTHING`,
		`INSERT INTO event_names (name) SELECT DISTINCT substr(stream, 1, instr(stream, '-')) FROM events_v6 WHERE true ON CONFLICT DO NOTHING`,
		`INSERT INTO event_streams (name, category) SELECT DISTINCT e.stream, n.id FROM events_v6 e
			JOIN event_names n ON n.name = substr(e.stream, 1, instr(e.stream, '-')) ORDER BY e.stream`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("number names: %w", err)
		}
	}
	streams, err := nameIDs(ctx, tx, `SELECT name, id FROM event_streams`)
	if err != nil {
		return err
	}
	cats, err := nameIDs(ctx, tx, `SELECT s.name, s.category FROM event_streams s`)
	if err != nil {
		return err
	}
	types, err := nameIDs(ctx, tx, `SELECT name, id FROM event_names`)
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO event_log (position, stream, version, category, type, event_id, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	rows, err := tx.QueryContext(ctx, `SELECT position, stream, version, event_id, type, record, hash FROM events_v6 ORDER BY position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.pos, &r.stream, &r.version, &r.eventID, &r.typ, &r.record, &r.hash); err != nil {
			return err
		}
		body := r.record
		if e, err := eventstore.DecodeRecord(r.record); err == nil && e.Stream == r.stream && e.Type == r.typ &&
			e.Version == r.version && string(e.ID[:]) == string(r.eventID) {
			body = storedBody(e, r.record)
		}
		if _, err := ins.ExecContext(ctx, r.pos, streams[r.stream], r.version, cats[r.stream], types[r.typ], r.eventID, body, r.hash); err != nil {
			return fmt.Errorf("move the event at position %d: %w", r.pos, err)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE events_v6`)
	return err
}

// nameIDs reads a query's rows of (name, id) into a map.
func nameIDs(ctx context.Context, tx *sql.Tx, q string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, err
		}
		m[name] = id
	}
	return m, rows.Err()
}
