package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"strings"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Find reports which of ids are recorded in stream; see eventstore.Store. Each ID is one seek in
// the event-ID index (event_log_event_id) and one in legacy_event_ids, whatever the stream's length.
// The list is padded to a power of two by repeating its last ID, so that a few prepared
// statements serve every call.
func (s *Store) Find(ctx context.Context, stream string, ids ...uuid.UUID) (map[uuid.UUID]int64, error) {
	if err := eventstore.ValidateFind(stream, ids); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	n := 1 << bits.Len(uint(len(ids)-1))
	args := make([]any, 0, 2*n+2)
	for range 2 {
		for i := range n {
			args = append(args, ids[min(i, len(ids)-1)][:])
		}
		args = append(args, stream)
	}
	rows, err := s.query(ctx, findQuery(n), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find in %q: %w", stream, err)
	}
	defer rows.Close()
	found := map[uuid.UUID]int64{}
	for rows.Next() {
		var id []byte
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("sqlite: find in %q: %w", stream, err)
		}
		if len(id) == 16 {
			found[uuid.UUID(id)] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find in %q: %w", stream, err)
	}
	return found, nil
}

// findQuery looks n IDs up in event_log and legacy_event_ids. "+stream" keeps SQLite from choosing
// the stream's index, which would walk the whole stream: the ID's index finds at most one row.
func findQuery(n int) string {
	marks := strings.Repeat(",?", n)[1:]
	return `SELECT event_id, version FROM event_log WHERE event_id IN (` + marks + `) AND +stream = (SELECT id FROM event_streams WHERE name = ?)
		UNION ALL SELECT id, version FROM legacy_event_ids WHERE id IN (` + marks + `) AND +stream = ?`
}

// fillLegacyEventIDs (migration 7) records, for every event recorded before it that carries a
// command ID, the ID eventstore.CommandEventID derives for it: the i-th event of a run of events
// with one command ID in a stream gets index i. Should a command ID appear in a stream again
// later, its later events take the alias (a replay's latest version counts, as Apply does).
func fillLegacyEventIDs(ctx context.Context, tx *sql.Tx) error {
	ins, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO legacy_event_ids (id, stream, version) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var last legacyEvent // the previous event, to count a command's events
	index := 0
	after, afterVersion := "", int64(0)
	for {
		page, err := legacyPage(ctx, tx, after, afterVersion)
		if err != nil {
			return err
		}
		for _, r := range page {
			if r.command != "" && r.stream == last.stream && r.command == last.command && r.version == last.version+1 {
				index++
			} else {
				index = 0
			}
			last = r
			if r.command == "" {
				continue
			}
			if alias := eventstore.CommandEventID(r.stream, r.command, index); alias != r.id {
				if _, err := ins.ExecContext(ctx, alias[:], r.stream, r.version); err != nil {
					return err
				}
			}
		}
		if len(page) < legacyPageSize {
			return nil
		}
		after, afterVersion = page[len(page)-1].stream, page[len(page)-1].version
	}
}

const legacyPageSize = 5000

type legacyEvent struct {
	stream, command string
	version         int64
	id              uuid.UUID
}

// legacyPage reads the next events after (stream, version) in stream and version order.
func legacyPage(ctx context.Context, tx *sql.Tx, stream string, version int64) ([]legacyEvent, error) {
	rows, err := tx.QueryContext(ctx, `SELECT record FROM events WHERE (stream, version) > (?, ?) ORDER BY stream, version LIMIT ?`, stream, version, legacyPageSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []legacyEvent
	for rows.Next() {
		var rec []byte
		if err := rows.Scan(&rec); err != nil {
			return nil, err
		}
		e, err := eventstore.DecodeRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("an event after %q version %d: %w", stream, version, err)
		}
		out = append(out, legacyEvent{stream: e.Stream, command: e.Metadata.CommandID, version: e.Version, id: e.ID})
	}
	return out, rows.Err()
}
