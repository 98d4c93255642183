package runner_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// watermillSource is the source serve uses: messaging's Source over a Subscriber of s.
func watermillSource(t *testing.T, s *sqlite.Store, window int) runner.Source {
	t.Helper()
	sub, err := messaging.NewSubscriber(s, messaging.SubscriberConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	src, err := messaging.NewSource(sub, window)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestWatermillSource_restarts_yield_the_same_models(t *testing.T) {
	restartAtSeveralPoints(t, 4, 9, func(s *sqlite.Store) runner.Config {
		return runner.Config{Store: s, Source: watermillSource(t, s, 3), DB: s.ProjectionDB(), Projections: all(), BatchSize: 3, Linger: -1}
	})
}

// rewinding delivers the store's events, and after every fifth one the last three again, as a
// source does after a Nack or a failed read; it counts the acknowledgements.
type rewinding struct {
	store eventstore.Store
	acks  atomic.Int64
	sent  atomic.Int64
}

func (r *rewinding) Follow(ctx context.Context, after eventstore.Position, f eventstore.Filter) (runner.Stream, error) {
	sub, err := r.store.Subscribe(ctx, eventstore.SubscribeOptions{After: after, Filter: f})
	if err != nil {
		return nil, err
	}
	return &rewindStream{src: r, sub: sub}, nil
}

type rewindStream struct {
	src    *rewinding
	sub    eventstore.Subscription
	recent []eventstore.Event
	again  []eventstore.Event
}

func (s *rewindStream) Next(ctx context.Context) (runner.Delivery, error) {
	ack := func() { s.src.acks.Add(1) }
	if len(s.again) > 0 {
		s.src.sent.Add(1)
		e := s.again[0]
		s.again = s.again[1:]
		return runner.Delivery{Event: e, Ack: ack}, nil
	}
	e, err := s.sub.Next(ctx)
	if err != nil {
		return runner.Delivery{}, err
	}
	s.src.sent.Add(1)
	s.recent = append(s.recent, e)
	if len(s.recent) == 5 {
		s.again, s.recent = append([]eventstore.Event(nil), s.recent[2:]...), nil
	}
	return runner.Delivery{Event: e, Ack: ack}, nil
}

func (s *rewindStream) Close() error { return s.sub.Close() }

func TestRunner_skips_events_delivered_again_and_acknowledges_them(t *testing.T) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	buildEmpty(t, s)
	src := &rewinding{store: s}
	r, err := runner.New(runner.Config{Store: s, Source: src, DB: s.ProjectionDB(), Projections: all(), BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	projectiontest.Append(t, s, clock, history) // live
	head, _ := s.Head(ctx)
	wait(t, r, s, head)
	for deadline := time.Now().Add(5 * time.Second); src.acks.Load() != src.sent.Load() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // the last redeliveries are acknowledged after the last commit
	}
	if acks, sent := src.acks.Load(), src.sent.Load(); acks != sent {
		t.Errorf("%d deliveries acknowledged of %d", acks, sent)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := models(t, s); got != want {
		t.Fatalf("with redeliveries:\n%s\nwant:\n%s", got, want)
	}
}
