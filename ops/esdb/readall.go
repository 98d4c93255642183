package esdb

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// readAllPage is how many events of $all one server read asks for.
const readAllPage = 1000

// ReadAll reads the global log ($all, without system events and events not written by
// civicflow); see eventstore.Store. EventStoreDB filters $all reads only for subscriptions, so
// the filter is applied here, page by page.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadAll(opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	limit := opts.Limit
	if limit == 0 {
		limit = eventstore.DefaultReadAllLimit
	}
	var out []eventstore.Event
	after := opts.After
	for len(out) < limit {
		page, last, n, err := s.readAllPage(ctx, after)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if opts.Filter.Matches(e.Stream, e.Type) && len(out) < limit {
				out = append(out, e)
			}
		}
		if n < readAllPage {
			break
		}
		after = last
	}
	return out, nil
}

// readAllPage reads the civicflow events of one page of $all after a position; last is the
// position of the last event read (any event) and n how many were read.
func (s *Store) readAllPage(ctx context.Context, after eventstore.Position) (events []eventstore.Event, last eventstore.Position, n int, err error) {
	var from esdb.AllPosition = esdb.Start{}
	if !after.IsZero() {
		from = esdb.Position{Commit: after.Commit(), Prepare: after.Prepare()}
	}
	rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Forwards, From: from}, readAllPage+1)
	if err := translate("read $all", err); err != nil {
		return nil, last, 0, err
	}
	defer rs.Close()
	last = after
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return events, last, n, nil
		}
		if err := translate("read $all", err); err != nil {
			return nil, last, n, err
		}
		if re.Event == nil {
			continue
		}
		pos := eventstore.NewPosition(re.Event.Position.Commit, re.Event.Position.Prepare)
		if pos.Compare(after) <= 0 {
			continue // $all reads include the starting position
		}
		n++
		last = pos
		e, err := fromRecorded(re.Event)
		if errors.Is(err, errNotCivicflow) {
			continue
		}
		if err != nil {
			return nil, last, n, err
		}
		events = append(events, e)
	}
}

// Verify checks every stream's hash chain and that the log's positions increase; see
// eventstore.Store. EventStoreDB keeps no civicflow log head, so a removed tail of the whole log
// is not seen here; the seals see it.
func (s *Store) Verify(ctx context.Context) error {
	chain := eventstore.NewChainVerifier()
	after := eventstore.Start
	for {
		page, last, n, err := s.readAllPage(ctx, after)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := chain.Check(e); err != nil {
				return err
			}
		}
		if n < readAllPage {
			return nil
		}
		after = last
	}
}
