package esdb

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Subscribe starts a catch-up subscription to $all after opts.After; see eventstore.Store. Stream
// prefixes are filtered by the server, event types here.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := eventstore.ValidateFilter(opts.Filter); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	so := esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: serverFilter(opts.Filter)}
	if !opts.After.IsZero() {
		so.From = esdb.Position{Commit: opts.After.Commit(), Prepare: opts.After.Prepare()}
	}
	sub, err := s.client.SubscribeToAll(ctx, so)
	if err := translate("subscribe to $all", err); err != nil {
		return nil, err
	}
	ss := &subscription{sub: sub, filter: opts.Filter, out: make(chan delivery), stop: make(chan struct{})}
	go ss.pump(opts.After)
	return ss, nil
}

// serverFilter is the part of a filter EventStoreDB applies: stream prefixes, or else the system
// events left out.
func serverFilter(f eventstore.Filter) *esdb.SubscriptionFilter {
	if len(f.StreamPrefixes) > 0 {
		return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: f.StreamPrefixes}
	}
	return esdb.ExcludeSystemEventsFilter()
}

type subscription struct {
	sub    *esdb.Subscription
	filter eventstore.Filter
	out    chan delivery // filled by pump, closed when it ends
	stop   chan struct{}
	once   sync.Once
}

type delivery struct {
	e   eventstore.Event
	err error
}

// pump receives from the server (Recv takes no context) and hands matching events to Next, one
// at a time, until the subscription is dropped or closed.
func (s *subscription) pump(after eventstore.Position) {
	defer close(s.out)
	for {
		e, err := s.recv(&after)
		select {
		case s.out <- delivery{e, err}:
		case <-s.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (s *subscription) recv(after *eventstore.Position) (eventstore.Event, error) {
	for {
		ev := s.sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return eventstore.Event{}, fmt.Errorf("%w: esdb: subscription dropped: %v", eventstore.ErrClosed, ev.SubscriptionDropped.Error)
		case ev.EventAppeared == nil || ev.EventAppeared.Event == nil:
			continue // a checkpoint
		}
		e, err := fromRecorded(ev.EventAppeared.Event)
		if errors.Is(err, errNotCivicflow) {
			continue
		}
		if err != nil {
			return eventstore.Event{}, err
		}
		if e.Position.Compare(*after) <= 0 || !s.filter.Matches(e.Stream, e.Type) {
			continue
		}
		*after = e.Position
		return e, nil
	}
}

// Next returns the next matching event.
func (s *subscription) Next(ctx context.Context) (eventstore.Event, error) {
	select {
	case <-ctx.Done():
		return eventstore.Event{}, ctx.Err()
	case <-s.stop:
		return eventstore.Event{}, eventstore.ErrClosed
	case d, ok := <-s.out:
		if !ok {
			return eventstore.Event{}, eventstore.ErrClosed
		}
		return d.e, d.err
	}
}

// Close ends the subscription.
func (s *subscription) Close() error {
	s.once.Do(func() {
		close(s.stop)
		s.sub.Close()
	})
	return nil
}
