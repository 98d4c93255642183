package runner

import (
	"context"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Source delivers the global log to the runner. serve uses ops/messaging's Source (Watermill);
// StoreSource reads the store directly.
type Source interface {
	// Follow delivers the events that match filter after the position after (exclusive), in log
	// order and without a gap. After a rewind it may deliver events again; the runner skips every
	// event at or before the last one it has.
	Follow(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (Stream, error)
}

// Stream is one Follow of a Source.
type Stream interface {
	// Next waits for the next delivery. It fails with eventstore.ErrClosed when the source has
	// ended, and with ctx's error when ctx ends.
	Next(ctx context.Context) (Delivery, error)
	// Close ends the stream.
	Close() error
}

// Delivery is one event of a Stream.
type Delivery struct {
	// Event is the recorded event.
	Event eventstore.Event
	// Ack, when not nil, tells the source that the event is committed (or was delivered again
	// and skipped); the runner calls it after the transaction holding the event has committed.
	Ack func()
}

// StoreSource is a Source over the store's catch-up subscription (eventstore.Store.Subscribe).
type StoreSource struct {
	// Store is the store whose log is followed.
	Store eventstore.Store
}

// Follow subscribes to the store after the position after.
func (s StoreSource) Follow(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (Stream, error) {
	sub, err := s.Store.Subscribe(ctx, eventstore.SubscribeOptions{After: after, Filter: filter})
	if err != nil {
		return nil, err
	}
	return storeStream{sub}, nil
}

type storeStream struct{ sub eventstore.Subscription }

func (s storeStream) Next(ctx context.Context) (Delivery, error) {
	e, err := s.sub.Next(ctx)
	return Delivery{Event: e}, err
}

func (s storeStream) Close() error { return s.sub.Close() }
