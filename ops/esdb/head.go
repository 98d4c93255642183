package esdb

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

var _ eventstore.HeadReader = (*Store)(nil)

// headPage is how many events of $all one backwards read for the head asks for: the log's end
// holds mostly civicflow events, with a system event now and then.
const headPage = 64

// Head returns the position of the last civicflow event in $all (eventstore.Start when there is
// none); see eventstore.HeadReader. It reads $all backwards from its end, passing over system
// events and events civicflow did not write, as ReadAll and Subscribe do.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, eventstore.ErrClosed
	}
	return lastCivicflow(func(before eventstore.Position) ([]*esdb.RecordedEvent, error) {
		return s.readAllBackwards(ctx, before)
	}, headPage)
}

// lastCivicflow returns the position of the newest civicflow event, reading pages of at most
// page events newest first: read(Start) reads from the end, read(p) before p (a page may repeat
// p itself). A page shorter than page is the log's beginning.
func lastCivicflow(read func(before eventstore.Position) ([]*esdb.RecordedEvent, error), page int) (eventstore.Position, error) {
	before := eventstore.Start
	for {
		events, err := read(before)
		if err != nil {
			return eventstore.Start, err
		}
		n := 0
		for _, r := range events {
			pos := eventstore.NewPosition(r.Position.Commit, r.Position.Prepare)
			if !before.IsZero() && pos.Compare(before) >= 0 {
				continue
			}
			n++
			if _, err := fromRecorded(r); !errors.Is(err, errNotCivicflow) {
				return pos, nil // a civicflow event, even one whose hash is damaged: Verify names that
			}
			before = pos
		}
		if len(events) < page || n == 0 {
			return eventstore.Start, nil
		}
	}
}

// readAllBackwards reads one page of $all, newest first, from the end or from before.
func (s *Store) readAllBackwards(ctx context.Context, before eventstore.Position) ([]*esdb.RecordedEvent, error) {
	var from esdb.AllPosition = esdb.End{}
	if !before.IsZero() {
		from = esdb.Position{Commit: before.Commit(), Prepare: before.Prepare()}
	}
	rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, headPage)
	if err := translate("read $all backwards", err); err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err := translate("read $all backwards", err); err != nil {
			return nil, err
		}
		if re.Event != nil {
			out = append(out, re.Event)
		}
	}
}
