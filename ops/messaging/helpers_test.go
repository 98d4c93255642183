package messaging_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// waitFor bounds every wait of these tests.
const waitFor = 10 * time.Second

func publisher(t testing.TB, s eventstore.Store) *messaging.Publisher {
	t.Helper()
	p, err := messaging.NewPublisher(s, messaging.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// subscriber makes a subscriber for tests that leave messages unacknowledged: Close does not
// wait for them.
func subscriber(t testing.TB, s *sqlite.Store, group string) *messaging.Subscriber {
	t.Helper()
	return subscriberWith(t, s, messaging.SubscriberConfig{ConsumerGroup: group, NackResendDelay: 10 * time.Millisecond, CloseWait: -1})
}

// subscriberWith makes a subscriber with cfg, the store's checkpoints when cfg names a group.
func subscriberWith(t testing.TB, s *sqlite.Store, cfg messaging.SubscriberConfig) *messaging.Subscriber {
	t.Helper()
	if cfg.ConsumerGroup != "" {
		cfg.Checkpoints = s.Checkpoints()
	}
	sub, err := messaging.NewSubscriber(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	return sub
}

func subscribe(t testing.TB, sub message.Subscriber, topic string) <-chan *message.Message {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := sub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// next receives one message, failing the test after waitFor.
func next(t testing.TB, ch <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case msg, ok := <-ch:
		if !ok {
			t.Fatal("the channel closed")
		}
		return msg
	case <-time.After(waitFor):
		t.Fatal("no message arrived")
	}
	return nil
}

// none checks that no message arrives for a moment.
func none(t *testing.T, ch <-chan *message.Message) {
	t.Helper()
	select {
	case msg, ok := <-ch:
		if ok {
			t.Fatalf("unexpected message %s (%q)", msg.UUID, msg.Payload)
		}
	case <-time.After(150 * time.Millisecond):
	}
}

// closed checks that ch is closed soon, acknowledging whatever still comes.
func closed(t *testing.T, ch <-chan *message.Message) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case msg, ok := <-ch:
			if !ok {
				return
			}
			msg.Nack()
		case <-deadline:
			t.Fatal("the channel is still open")
		}
	}
}

// topicEvents reads every event of a topic's streams straight from the store.
func topicEvents(t *testing.T, s eventstore.Store, topic string) []eventstore.Event {
	t.Helper()
	evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{topic + "-"}}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func domainEvent(typ, data string, md eventstore.Metadata) eventstore.EventData {
	return eventstore.EventData{ID: eventstore.NewEventID(), Type: typ, SchemaVersion: 1, Data: []byte(data), Metadata: md}
}

// waitCheckpoint waits until the checkpoint name is at pos (it is saved right after the Ack).
func waitCheckpoint(t *testing.T, s *sqlite.Store, name string, pos eventstore.Position) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		got, err := s.Checkpoints().Load(t.Context(), name)
		if err == nil && got == pos {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %s at %v (%v), want %v", name, got, err, pos)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
