package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// ErrIdempotencyKeyReused matches an *IdempotencyKeyError.
var ErrIdempotencyKeyReused = errors.New("engine: command ID reused with another request")

// IdempotencyKeyError reports a command ID handled before for another request (Meta.Request):
// nothing was done, and the first command's result is not returned either.
type IdempotencyKeyError struct {
	CommandID string
}

func (e *IdempotencyKeyError) Error() string {
	return fmt.Sprintf("engine: command ID %q was used before with another request", e.CommandID)
}

// Unwrap returns ErrIdempotencyKeyReused.
func (e *IdempotencyKeyError) Unwrap() error { return ErrIdempotencyKeyReused }

// causation is the causation ID recorded with a command's events: the request that carried the
// command when the caller names one (Meta.Request), else the command ID. This is how a command ID
// remembers its request across restarts: it is in the log with the events.
func causation(m process.Meta) string {
	if m.Request != "" {
		return m.Request
	}
	return m.CommandID
}

// recent is what a process or a programme remembers of its latest commands (process.Window).
type recent interface {
	HandledRecently(commandID string) (int64, bool)
}

// findBatch is how many of a command's further derived event IDs one Find asks about, once its
// first event is found.
const findBatch = 8

// handled reports whether the command with commandID was handled in stream (of the aggregate
// agg), and the version after it. The aggregate remembers its latest process.WindowSize commands;
// an older command is found in the store by the IDs its events carry (eventstore.CommandEventID),
// an indexed query whatever the history's length: a command ID never handled costs one lookup of
// one ID; a command found is followed through its further events, whose last one's version is
// the version after it.
func (e *Engine) handled(ctx context.Context, stream string, agg recent, commandID string) (int64, bool, error) {
	if commandID == "" {
		return 0, false, nil
	}
	if v, ok := agg.HandledRecently(commandID); ok {
		return v, true, nil
	}
	// Short and indexed, so without cancellation: a cancellable query costs the SQLite driver a
	// watcher goroutine (see take).
	ctx = context.WithoutCancel(ctx)
	first := eventstore.CommandEventID(stream, commandID, 0)
	found, err := e.cfg.Store.Find(ctx, stream, first)
	if err != nil || len(found) == 0 {
		return 0, false, err
	}
	last := found[first]
	ids := make([]uuid.UUID, findBatch)
	for from := 1; ; from += findBatch {
		for i := range ids {
			ids[i] = eventstore.CommandEventID(stream, commandID, from+i)
		}
		found, err := e.cfg.Store.Find(ctx, stream, ids...)
		if err != nil {
			return 0, false, err
		}
		for _, v := range found {
			last = max(last, v)
		}
		if len(found) < findBatch {
			return last, true, nil
		}
	}
}

// sameRequest checks a command handled before, whose events end at version in the process's
// stream, against the request in m. Events recorded without a request (their causation ID is the
// command ID: older events, or callers that name none) match any request.
func (e *Engine) sameRequest(ctx context.Context, id uuid.UUID, version int64, m process.Meta) error {
	return e.sameRequestIn(ctx, StreamOf(id), version, m)
}

// sameRequestIn is sameRequest for the stream of a process or a programme.
func (e *Engine) sameRequestIn(ctx context.Context, stream string, version int64, m process.Meta) error {
	if m.Request == "" {
		return nil
	}
	evs, err := e.cfg.Store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: version, Limit: 1})
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	md := evs[0].Metadata
	if md.CausationID == m.Request || md.CausationID == "" || md.CausationID == md.CommandID {
		return nil
	}
	return &IdempotencyKeyError{CommandID: m.CommandID}
}
