package messaging_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// features are what the Pub/Sub claims in Watermill's universal suite:
//   - ConsumerGroups: every group gets every message of a topic and resumes from its own checkpoint.
//   - GuaranteedOrder: one subscription delivers one message at a time, in the log's order.
//   - Persistent: messages are events in the store, there for every later Subscriber.
//   - NewSubscriberReceivesOldMessages: a subscription without a group (and a new group) reads the
//     topic from its beginning.
//   - not ExactlyOnceDelivery: a Nack, or a crash before the checkpoint is saved, delivers a
//     message again.
var features = tests.Features{
	ConsumerGroups:                   true,
	ExactlyOnceDelivery:              false,
	GuaranteedOrder:                  true,
	Persistent:                       true,
	NewSubscriberReceivesOldMessages: true,
}

// TestPubSub runs Watermill's universal suite at full size with subscribers without a consumer
// group (each subscription reads its topic from the beginning); the consumer-group test uses groups.
// All Pub/Subs of one run share one store, as a service's do.
func TestPubSub(t *testing.T) {
	if testing.Short() {
		t.Skip("the universal suite takes a while; skipped with -short")
	}
	s := newStore(t)
	tests.TestPubSub(t, features,
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newPubSub(t, s, "")
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSub(t, s, group)
		},
	)
}

// TestPubSub_in_one_consumer_group runs the suite again with every subscriber in a consumer group,
// so that checkpoints are saved on every Ack and subscriptions resume from them (e.g. in
// TestContinueAfterSubscribeClose). The suite's concurrent subscribers then share one group; the
// short sizes keep their checkpoint saves (one fsync each) within the suite's time limits. A
// subscriber of a group resumes where the group stopped, so it does not receive old messages.
func TestPubSub_in_one_consumer_group(t *testing.T) {
	s := newStore(t)
	f := features
	f.NewSubscriberReceivesOldMessages = false
	f.ForceShort = true
	tests.TestPubSub(t, f,
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return newPubSub(t, s, "suite")
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return newPubSub(t, s, group)
		},
	)
}

// newStore opens the suite's store with synchronous=normal: with WAL, a commit then reaches the
// operating system but is not synced, which loses nothing when a process ends, only on power
// loss. The suite tests delivery, order, consumer groups and persistence within the store, not
// power loss (TestRouter_loses_nothing_when_killed kills a process on a store of the default
// synchronous=full); the suite's tens of thousands of publications and checkpoint saves no
// longer wait for one sync each.
func newStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "civicflow.db"), ReadConns: 8,
		Synchronous: "normal", AllowDataLoss: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newPubSub(t *testing.T, s *sqlite.Store, group string) (message.Publisher, message.Subscriber) {
	t.Helper()
	pub, err := messaging.NewPublisher(s, messaging.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := messaging.SubscriberConfig{ConsumerGroup: group, NackResendDelay: 10 * time.Millisecond}
	if group != "" {
		cfg.Checkpoints = s.Checkpoints()
	}
	sub, err := messaging.NewSubscriber(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pub, sub
}
