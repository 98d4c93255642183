package storecopy

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// pageSize is how many events a read of the source returns.
const pageSize = 2000

// eventColumns are the target's columns of an event, as the PostgreSQL writer fills them.
var eventColumns = []string{"position", "stream", "version", "event_id", "type", "record", "hash"}

// copyEvents streams the source's log up to its head at the start into the target's events
// table, checking positions and chains on the way. It returns the last event and the number of
// streams, and counts the events into n.
func copyEvents(ctx context.Context, src *sqlite.Store, tx pgx.Tx, n *int64) (eventstore.Event, int, error) {
	head, err := src.Head(ctx)
	if err != nil {
		return eventstore.Event{}, 0, fmt.Errorf("storecopy: the source's head: %w", err)
	}
	s := &eventSource{ctx: ctx, src: src, head: head.Commit(), chain: eventstore.NewChainVerifier(), n: n}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, eventColumns, s); err != nil {
		if s.err != nil { // the source's problem, not the target's: keep its type
			err = s.err
		}
		return eventstore.Event{}, 0, fmt.Errorf("storecopy: copy the events: %w", err)
	}
	if uint64(*n) != s.head {
		return eventstore.Event{}, 0, fmt.Errorf("storecopy: the source's log ends at position %d, but its head is %d", *n, s.head)
	}
	return s.last, s.chain.Streams(), nil
}

// eventSource is a pgx.CopyFromSource over the source's log.
type eventSource struct {
	ctx   context.Context
	src   *sqlite.Store
	head  uint64
	chain *eventstore.ChainVerifier
	n     *int64

	page []eventstore.Event
	last eventstore.Event
	row  []any
	err  error
}

// Next reads the next event (a page at a time), checks it and makes its row.
func (s *eventSource) Next() bool {
	if len(s.page) == 0 && uint64(*s.n) < s.head {
		s.page, s.err = s.src.ReadAll(s.ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(uint64(*s.n)), Limit: pageSize})
		if s.err != nil {
			s.err = fmt.Errorf("read the source: %w", s.err)
			return false
		}
	}
	if len(s.page) == 0 || s.page[0].Position.Commit() > s.head {
		return false
	}
	e := s.page[0]
	s.page = s.page[1:]
	if want := uint64(*s.n) + 1; e.Position.Commit() != want {
		s.err = &eventstore.IntegrityError{Position: eventstore.SequencePosition(want),
			Problem: fmt.Sprintf("the source's log has a gap: position %d is missing (the next event is at %s)", want, e.Position)}
		return false
	}
	if s.err = s.chain.Check(e); s.err != nil {
		return false
	}
	s.row = []any{int64(e.Position.Commit()), e.Stream, e.Version, e.ID[:], e.Type, eventstore.EncodeRecord(e), e.Hash[:]}
	s.last = e
	*s.n++
	return true
}

// Values returns the current event's row.
func (s *eventSource) Values() ([]any, error) { return s.row, nil }

// Err returns why the copy stopped early.
func (s *eventSource) Err() error { return s.err }
