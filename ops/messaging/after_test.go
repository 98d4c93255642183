package messaging_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestSubscriber_without_group_starts_after_the_configured_position: a read model restored from
// a snapshot of its own goes on after the snapshot's position, not from the log's beginning.
func TestSubscriber_without_group_starts_after_the_configured_position(t *testing.T) {
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var positions []eventstore.Position
	var ids []string
	for range 3 {
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`)}
		res, err := s.Append(context.Background(), "process-1", eventstore.Any, e)
		if err != nil {
			t.Fatal(err)
		}
		positions = append(positions, res.Position)
		ids = append(ids, e.ID.String())
	}
	sub := subscriberWith(t, s, messaging.SubscriberConfig{After: positions[1]})
	msg := next(t, subscribe(t, sub, "process"))
	if msg.UUID != ids[2] {
		t.Fatalf("first message %s, want the event after the position (%s)", msg.UUID, ids[2])
	}
	msg.Ack()
	if _, err := messaging.NewSubscriber(s, messaging.SubscriberConfig{ConsumerGroup: "g", Checkpoints: s.Checkpoints(), After: positions[0]}); err == nil {
		t.Fatal("a consumer group with After was accepted")
	}
}
