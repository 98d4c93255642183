package eventstoretest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// collect reads n events from sub, failing the test after a generous timeout.
func collect(t *testing.T, sub eventstore.Subscription, n int) []eventstore.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make([]eventstore.Event, 0, n)
	for len(out) < n {
		e, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		out = append(out, e)
	}
	return out
}

func subscribe(t *testing.T, s eventstore.Store, opts eventstore.SubscribeOptions) eventstore.Subscription {
	t.Helper()
	sub, err := s.Subscribe(ctxFor(t), opts)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(func() { sub.Close() })
	return sub
}

func testSubscriptionOrder(t *testing.T, h *harness) {
	s, p := h.open(t)
	const history, writers, perWriter = 20, 4, 40
	for i := range history {
		mustAppend(t, s, p+"hist-"+string(rune('a'+i%3)), eventstore.Any, event("test.happened", i))
	}
	sub := subscribe(t, s, eventstore.SubscribeOptions{Filter: eventstore.Filter{StreamPrefixes: []string{p}}})
	got := collect(t, sub, history)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			stream := p + "live-" + uuid.NewString()
			for i := range perWriter {
				n := 1 + i%2 // single events and pairs
				if _, err := s.Append(ctxFor(t), stream, eventstore.Any, events("test.happened", n)...); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	live := writers * (perWriter/2*1 + perWriter/2*2)
	got = append(got, collect(t, sub, live)...)
	wg.Wait()
	checkOrdered(t, got)
	want := readPrefix(t, s, p)
	if !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("subscription delivered %d events that differ from the log's %d (gap, duplicate or order)", len(got), len(want))
	}
	t.Run("wakes_for_a_live_event", func(t *testing.T) {
		done := make(chan eventstore.Event, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if e, err := sub.Next(ctx); err == nil {
				done <- e
			}
			close(done)
		}()
		e := event("test.happened", 0)
		mustAppend(t, s, p+"late", eventstore.NoStream, e)
		if got, ok := <-done; !ok || got.ID != e.ID {
			t.Fatalf("waiting subscriber got %v (ok=%v), want event %s", got.ID, ok, e.ID)
		}
	})
}

func testSubscriptionResume(t *testing.T, h *harness) {
	s, p := h.open(t)
	for i := range 12 {
		mustAppend(t, s, p+"resume", eventstore.Any, event("test.happened", i))
	}
	all := readPrefix(t, s, p)
	checkpoint := all[4].Position
	restored, err := eventstore.ParsePosition(checkpoint.String())
	if err != nil || restored != checkpoint {
		t.Fatalf("checkpoint %s does not survive String/ParsePosition: %v, %v", checkpoint, restored, err)
	}
	sub := subscribe(t, s, eventstore.SubscribeOptions{After: restored, Filter: eventstore.Filter{StreamPrefixes: []string{p}}})
	got := collect(t, sub, 7)
	if !slices.Equal(ids(got), ids(all[5:])) {
		t.Fatalf("resumed subscription delivered %v, want %v", ids(got), ids(all[5:]))
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Next(ctxFor(t)); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
}

func testSubscriptionFilter(t *testing.T, h *harness) {
	s, p := h.open(t)
	var want []uuid.UUID
	for i := range 30 {
		e := event("test.happened", i)
		if i%5 == 0 {
			e.Type = "test.selected"
			want = append(want, e.ID)
		}
		mustAppend(t, s, p+"mixed", eventstore.Any, e)
	}
	sub := subscribe(t, s, eventstore.SubscribeOptions{Filter: eventstore.Filter{StreamPrefixes: []string{p}, EventTypes: []string{"test.selected"}}})
	got := collect(t, sub, len(want))
	if !slices.Equal(ids(got), want) {
		t.Fatalf("filtered subscription delivered %v, want %v", ids(got), want)
	}
	// A context that ends while waiting ends Next.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := sub.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing to deliver: %v, want the context's deadline", err)
	}
}

func testVerify(t *testing.T, h *harness) {
	s, p := h.open(t)
	for i := range 5 {
		mustAppend(t, s, p+"v-"+string(rune('a'+i%2)), eventstore.Any, events("test.happened", 1+i%3)...)
	}
	if err := s.Verify(ctxFor(t)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	chain := eventstore.NewChainVerifier()
	for _, e := range readPrefix(t, s, p) {
		if err := chain.Check(e); err != nil {
			t.Fatalf("chain over the log: %v", err)
		}
	}
}

func testClosed(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"c", eventstore.NoStream, event("test.happened", 0))
	sub := subscribe(t, s, eventstore.SubscribeOptions{After: eventstore.Start, Filter: eventstore.Filter{StreamPrefixes: []string{p}}})
	collect(t, sub, 1)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.Append(ctxFor(t), p+"c", eventstore.Any, event("test.happened", 1)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("append after close: %v, want ErrClosed", err)
	}
	if _, err := s.ReadStream(ctxFor(t), p+"c", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("read after close: %v, want ErrClosed", err)
	}
	if _, err := s.Find(ctxFor(t), p+"c", eventstore.NewEventID()); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("find after close: %v, want ErrClosed", err)
	}
	if _, err := sub.Next(ctxFor(t)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("subscription after close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
