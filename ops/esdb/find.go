package esdb

import (
	"context"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// findPage is how many events Find reads at a time.
const findPage = 1000

// Find reports which of ids are recorded in stream; see eventstore.Store. EventStoreDB has no
// lookup of an event by its ID, so Find reads the stream backwards, newest first (a retried
// command is mostly a recent one), and stops once every ID is found: its cost grows with the
// distance of the oldest ID from the stream's end.
func (s *Store) Find(ctx context.Context, stream string, ids ...uuid.UUID) (map[uuid.UUID]int64, error) {
	if err := eventstore.ValidateFind(stream, ids); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	want := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	found := map[uuid.UUID]int64{}
	from := int64(0) // the end
	for {
		page, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: from, Limit: findPage})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if want[e.ID] {
				found[e.ID] = e.Version
			}
		}
		if len(found) == len(want) || len(page) < findPage || page[len(page)-1].Version <= 1 {
			return found, nil
		}
		from = page[len(page)-1].Version - 1
	}
}
