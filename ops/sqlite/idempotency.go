package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// decideExisting looks the request's event IDs up and decides with eventstore.DecideRetry, as
// every adapter does: when they are all recorded, in this stream, consecutively, with the same
// content and where the expected version puts them, the request is an idempotent retry and
// succeeds as a duplicate; when some are recorded differently, it fails. When none is recorded,
// it returns false: the request is new.
func decideExisting(ctx context.Context, tx *sql.Tx, r *appendReq, head streamHead) (bool, error) {
	found := make([]*eventstore.Recorded, len(r.events))
	for i, e := range r.events {
		var rec eventstore.Recorded
		var pos int64
		var typ string
		var body []byte
		err := tx.QueryRowContext(ctx, `SELECT s.name, l.version, l.position, t.name, l.body FROM event_log l
			JOIN event_streams s ON s.id = l.stream JOIN event_names t ON t.id = l.type WHERE l.event_id = ?`, e.ID[:]).Scan(&rec.Stream, &rec.Version, &pos, &typ, &body)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, err
		}
		if rec.Record, err = rebuildRecord(e.ID[:], rec.Stream, rec.Version, typ, body); err != nil {
			return false, err
		}
		rec.Position = eventstore.SequencePosition(uint64(pos))
		found[i] = &rec
	}
	res, decided, err := eventstore.DecideRetry(r.stream, r.expected, r.events, found, head.version)
	if decided {
		r.decided, r.res, r.err = true, res, err
	}
	return decided, nil
}
