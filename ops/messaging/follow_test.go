package messaging_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// appendMixed appends n events alternating between the streams process-1, template-1 and
// token-1, and returns them as recorded.
func appendMixed(t *testing.T, s *sqlite.Store, n int) []eventstore.Event {
	t.Helper()
	md := eventstore.Metadata{Tenant: "leipzig", Actor: "anna", CorrelationID: "c", CausationID: "k", CommandID: "k"}
	for i := range n {
		stream := []string{"process-1", "template-1", "token-1"}[i%3]
		if _, err := s.Append(t.Context(), stream, eventstore.Any, domainEvent("x.happened", fmt.Sprintf(`{"i":%d}`, i), md)); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.ReadAll(t.Context(), eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func follow(t *testing.T, sub *messaging.Subscriber, opts messaging.FollowOptions) <-chan *message.Message {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := sub.Follow(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// position reads a message's position back.
func position(t *testing.T, msg *message.Message) uint64 {
	t.Helper()
	e, err := messaging.EventOf(msg)
	if err != nil {
		t.Fatal(err)
	}
	return e.Position.Commit()
}

func TestFollow_starts_after_the_given_position_and_reads_back_every_event_of_the_filter(t *testing.T) {
	s := newStore(t)
	all := appendMixed(t, s, 9)
	filter := eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
	ch := follow(t, subscriber(t, s, ""), messaging.FollowOptions{After: all[2].Position, Filter: filter})
	for _, want := range all[3:] {
		if !filter.Matches(want.Stream, want.Type) {
			continue
		}
		msg := next(t, ch)
		got, err := messaging.EventOf(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
		}
		msg.Ack()
	}
	none(t, ch)
}

func TestFollow_delivers_a_window_ahead_of_the_acknowledgements(t *testing.T) {
	s := newStore(t)
	appendMixed(t, s, 10)
	ch := follow(t, subscriber(t, s, ""), messaging.FollowOptions{Window: 4})
	var held []*message.Message
	for i := 1; i <= 4; i++ {
		msg := next(t, ch)
		if got := position(t, msg); got != uint64(i) {
			t.Fatalf("message %d at position %d", i, got)
		}
		held = append(held, msg)
	}
	none(t, ch) // the window is full
	held[1].Ack()
	none(t, ch) // the first one still holds it
	held[0].Ack()
	for _, want := range []uint64{5, 6} {
		if got := position(t, next(t, ch)); got != want {
			t.Fatalf("position %d, want %d", got, want)
		}
	}
}

func TestFollow_after_a_nack_delivers_again_from_the_first_unacknowledged_message(t *testing.T) {
	s := newStore(t)
	appendMixed(t, s, 6)
	ch := follow(t, subscriber(t, s, ""), messaging.FollowOptions{Window: 5})
	var held []*message.Message
	for range 5 {
		held = append(held, next(t, ch))
	}
	held[0].Ack()
	held[2].Ack() // acknowledged, but after the first unacknowledged one: it comes again
	held[3].Nack()
	held[1].Nack()
	msg := next(t, ch)
	if position(t, msg) == 6 { // in flight when the Nack came: its window had opened
		msg.Ack()
		msg = next(t, ch)
	}
	for i, want := range []uint64{2, 3, 4, 5, 6} {
		if i > 0 {
			msg = next(t, ch)
		}
		if got := position(t, msg); got != want {
			t.Fatalf("position %d, want %d", got, want)
		}
		msg.Ack()
	}
	none(t, ch)
}

func TestFollow_a_nack_takes_effect_once_the_messages_before_it_are_answered(t *testing.T) {
	s := newStore(t)
	appendMixed(t, s, 6)
	ch := follow(t, subscriber(t, s, ""), messaging.FollowOptions{Window: 5})
	var held []*message.Message
	for range 5 {
		held = append(held, next(t, ch))
	}
	held[2].Nack()
	none(t, ch) // the first two are still out
	held[0].Ack()
	msg := next(t, ch) // the window opened one place
	if got := position(t, msg); got != 6 {
		t.Fatalf("position %d, want 6", got)
	}
	held[1].Ack()
	for _, want := range []uint64{3, 4, 5, 6} {
		msg := next(t, ch)
		if got := position(t, msg); got != want {
			t.Fatalf("position %d, want %d", got, want)
		}
		msg.Ack()
	}
	none(t, ch)
}

func TestFollow_and_Source_refuse_a_consumer_group(t *testing.T) {
	s := newStore(t)
	sub := subscriber(t, s, "readmodels")
	if _, err := sub.Follow(t.Context(), messaging.FollowOptions{}); err == nil {
		t.Error("Follow with a consumer group: no error")
	}
	if _, err := messaging.NewSource(sub, 0); err == nil {
		t.Error("NewSource with a consumer group: no error")
	}
}

func TestSource_streams_events_and_acknowledges_them(t *testing.T) {
	s := newStore(t)
	all := appendMixed(t, s, 4)
	src, err := messaging.NewSource(subscriber(t, s, ""), 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := src.Follow(ctx, all[0].Position, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for _, want := range all[1:] {
		d, err := stream.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.Event, want) {
			t.Fatalf("event\n%+v\nwant\n%+v", d.Event, want)
		}
		d.Ack()
	}
	cancel()
	if _, err := stream.Next(t.Context()); err != eventstore.ErrClosed {
		t.Errorf("after the end: %v, want ErrClosed", err)
	}
}

func TestEventOf_refuses_a_message_that_is_no_recorded_event(t *testing.T) {
	if _, err := messaging.EventOf(message.NewMessage("not-a-uuid", nil)); err == nil {
		t.Error("no error")
	}
}

func TestFollow_ends_when_the_subscriber_closes(t *testing.T) {
	s := newStore(t)
	appendMixed(t, s, 3)
	sub := subscriber(t, s, "")
	ch := follow(t, sub, messaging.FollowOptions{Window: 2})
	next(t, ch) // held, unacknowledged
	sub.Close()
	closed(t, ch)
	if _, err := sub.Follow(t.Context(), messaging.FollowOptions{}); err != messaging.ErrClosed {
		t.Errorf("Follow after Close: %v, want ErrClosed", err)
	}
}
