package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// decideExisting looks the request's event IDs up. When they are all recorded, in this stream,
// consecutively, with the same content and where the expected version puts them, the request is
// an idempotent retry: it succeeds as a duplicate. When some are recorded differently, it fails
// with an *IdempotencyError. When none is recorded, it returns false: the request is new.
func decideExisting(ctx context.Context, tx *sql.Tx, r *appendReq, head streamHead) (bool, error) {
	found := 0
	var first, last int64
	var lastPos int64
	for i, e := range r.events {
		var stream string
		var version, pos int64
		var record []byte
		err := tx.QueryRowContext(ctx, `SELECT stream, version, position, record FROM events WHERE event_id = ?`, e.ID[:]).Scan(&stream, &version, &pos, &record)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, err
		}
		problem := sameEvent(r.stream, e, stream, record)
		if problem == "" && found > 0 && version != last+1 {
			problem = fmt.Sprintf("is recorded at version %d, not after version %d as in this append", version, last)
		}
		if problem == "" && found != i {
			problem = "is recorded, but the events before it in this append are not"
		}
		if problem != "" {
			r.decided, r.err = true, &eventstore.IdempotencyError{EventID: e.ID, Stream: r.stream, Problem: problem}
			return true, nil
		}
		if found == 0 {
			first = version
		}
		found++
		last, lastPos = version, pos
	}
	switch {
	case found == 0:
		return false, nil
	case found < len(r.events):
		r.decided, r.err = true, &eventstore.IdempotencyError{EventID: r.events[found].ID, Stream: r.stream,
			Problem: fmt.Sprintf("only %d of the append's %d events are recorded", found, len(r.events))}
		return true, nil
	case !retryFits(r.expected, first):
		r.decided, r.err = true, &eventstore.ConcurrencyError{Stream: r.stream, Expected: r.expected, Actual: head.version}
		return true, nil
	}
	r.decided = true
	r.res = eventstore.AppendResult{Version: last, Position: eventstore.SequencePosition(uint64(lastPos)), Duplicate: true}
	return true, nil
}

// retryFits reports whether events recorded from version first on are where an append with the
// expected version would have put them.
func retryFits(expected eventstore.ExpectedVersion, first int64) bool {
	if v, ok := expected.IsExact(); ok {
		return first == v+1
	}
	switch {
	case expected.IsNoStream():
		return first == 1
	case expected.IsStreamExists():
		return first > 1
	}
	return true
}

// sameEvent returns "" when the recorded event has the content of e in stream, else the difference.
func sameEvent(stream string, e eventstore.EventData, recStream string, record []byte) string {
	if recStream != stream {
		return fmt.Sprintf("is recorded in another stream (%q)", recStream)
	}
	got, err := eventstore.DecodeRecord(record)
	if err != nil {
		return "is recorded, but its record cannot be decoded: " + err.Error()
	}
	switch {
	case got.Type != e.Type:
		return fmt.Sprintf("is recorded with type %q, not %q", got.Type, e.Type)
	case got.SchemaVersion != e.SchemaVersion:
		return fmt.Sprintf("is recorded with schema version %d, not %d", got.SchemaVersion, e.SchemaVersion)
	case !bytes.Equal(got.Data, e.Data):
		return "is recorded with different data"
	case got.Metadata != e.Metadata:
		return "is recorded with different metadata"
	}
	return ""
}
