package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Find reports which of ids are recorded in stream; see eventstore.Store. The IDs are looked up
// in the event-ID index (events_event_id), whatever the stream's length.
func (s *Store) Find(ctx context.Context, stream string, ids ...uuid.UUID) (map[uuid.UUID]int64, error) {
	if err := eventstore.ValidateFind(stream, ids); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		keys[i] = id[:]
	}
	rows, err := s.pool.Query(ctx, `SELECT event_id, version FROM events WHERE event_id = ANY($1) AND stream = $2`, keys, stream)
	if err != nil {
		return nil, fmt.Errorf("postgres: find in %q: %w", stream, err)
	}
	defer rows.Close()
	found := map[uuid.UUID]int64{}
	for rows.Next() {
		var id []byte
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("postgres: find in %q: %w", stream, err)
		}
		if len(id) == 16 {
			found[uuid.UUID(id)] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find in %q: %w", stream, err)
	}
	return found, nil
}
