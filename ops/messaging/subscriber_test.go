package messaging_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestSubscriberConfig_reports_every_problem(t *testing.T) {
	s := newStore(t)
	cases := []struct {
		name string
		cfg  messaging.SubscriberConfig
		want []string
	}{
		{"group_without_checkpoints", messaging.SubscriberConfig{ConsumerGroup: "g"}, []string{"Checkpoints: is nil"}},
		{"checkpoints_without_group", messaging.SubscriberConfig{Checkpoints: s.Checkpoints()}, []string{"without a ConsumerGroup"}},
		{"several", messaging.SubscriberConfig{ConsumerGroup: "a/b", Checkpoints: s.Checkpoints(), NackResendDelay: -1, RetryDelay: -1},
			[]string{`ConsumerGroup: "a/b" contains "/"`, "NackResendDelay", "RetryDelay"}},
		{"control_character", messaging.SubscriberConfig{ConsumerGroup: "a\tb", Checkpoints: s.Checkpoints()}, []string{"control character"}},
		{"defaults", messaging.SubscriberConfig{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := messaging.NewSubscriber(s, tc.cfg)
			if len(tc.want) == 0 && err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err %v does not say %q", err, w)
				}
			}
		})
	}
}

func TestSubscribe_refuses_bad_topics_and_works_until_Close(t *testing.T) {
	s := newStore(t)
	sub := subscriber(t, s, "")
	if _, err := sub.Subscribe(t.Context(), ""); !errors.Is(err, messaging.ErrInvalidTopic) {
		t.Errorf("Subscribe(\"\"): %v", err)
	}
	ch := subscribe(t, sub, "orders")
	sub.Close()
	closed(t, ch)
	if _, err := sub.Subscribe(t.Context(), "orders"); !errors.Is(err, messaging.ErrClosed) {
		t.Errorf("Subscribe after Close: %v", err)
	}
}

func TestSubscribe_checkpoint_name_too_long_is_an_error(t *testing.T) {
	s := newStore(t)
	sub := subscriber(t, s, strings.Repeat("g", 150))
	_, err := sub.Subscribe(t.Context(), strings.Repeat("t", 60))
	if !errors.Is(err, eventstore.ErrInvalidInput) {
		t.Fatalf("err %v; want the checkpoint store's input error", err)
	}
}

func TestSubscribe_ends_when_its_context_or_the_store_ends(t *testing.T) {
	s := newStore(t)
	sub := subscriber(t, s, "")
	ctx, cancel := context.WithCancel(context.Background())
	byCtx, err := sub.Subscribe(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	byStore := subscribe(t, sub, "orders")
	cancel()
	closed(t, byCtx)
	s.Close()
	closed(t, byStore)
}

func TestSubscribe_delivers_domain_events_of_a_category_with_their_envelope(t *testing.T) {
	recorded := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: func() time.Time { return recorded }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	md := eventstore.Metadata{Tenant: "leipzig", Actor: "user-1", CorrelationID: "corr-1", CausationID: "cmd-1", CommandID: "cmd-1"}
	started := domainEvent("process.started", `{"template":"five-stages"}`, md)
	if _, err := s.Append(t.Context(), "process-42", eventstore.NoStream, started); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), "template-1", eventstore.NoStream, domainEvent("template.published", "{}", md)); err != nil {
		t.Fatal(err)
	}
	msg := next(t, subscribe(t, subscriber(t, s, ""), "process"))
	want := map[string]string{
		messaging.MetadataEventType: "process.started", messaging.MetadataSchemaVersion: "1",
		messaging.MetadataStream: "process-42", messaging.MetadataStreamVersion: "1",
		messaging.MetadataPosition: "1", messaging.MetadataRecordedAt: "2026-03-01T09:30:00.123456789Z",
		messaging.MetadataTenant: "leipzig", messaging.MetadataActor: "user-1",
		messaging.MetadataCausationID: "cmd-1", messaging.MetadataCommandID: "cmd-1",
	}
	if msg.UUID != started.ID.String() || string(msg.Payload) != `{"template":"five-stages"}` {
		t.Errorf("message %s %s", msg.UUID, msg.Payload)
	}
	for k, v := range want {
		if got := msg.Metadata.Get(k); got != v {
			t.Errorf("metadata %s = %q, want %q", k, got, v)
		}
	}
	if got := middleware.MessageCorrelationID(msg); got != "corr-1" {
		t.Errorf("Watermill's correlation ID %q, want corr-1", got)
	}
}

func TestSubscribe_keeps_topics_with_a_common_prefix_apart(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	for _, topic := range []string{"a-b", "a", "a-b-c", "ab"} {
		if err := p.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte(`"`+topic+`"`))); err != nil {
			t.Fatal(err)
		}
	}
	sub := subscriber(t, s, "")
	for _, topic := range []string{"a", "a-b"} {
		ch := subscribe(t, sub, topic)
		msg := next(t, ch)
		msg.Ack()
		if string(msg.Payload) != `"`+topic+`"` {
			t.Errorf("topic %s delivered %s", topic, msg.Payload)
		}
		none(t, ch)
	}
}

func TestSubscribe_redelivers_a_nacked_message_before_the_next(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	if err := p.Publish("orders", message.NewMessage("m1", []byte("1")), message.NewMessage("m2", []byte("2"))); err != nil {
		t.Fatal(err)
	}
	ch := subscribe(t, subscriber(t, s, ""), "orders")
	first := next(t, ch)
	first.Nack()
	select {
	case <-first.Context().Done():
	case <-time.After(waitFor):
		t.Fatal("the message context was not ended by Nack")
	}
	again := next(t, ch)
	if again.UUID != "m1" || again == first {
		t.Fatalf("after a Nack got %s, want a fresh delivery of m1", again.UUID)
	}
	again.Ack()
	if m := next(t, ch); m.UUID != "m2" {
		t.Fatalf("then %s, want m2", m.UUID)
	}
}

func TestSubscribe_delivers_a_message_whose_data_is_broken_as_a_raw_event(t *testing.T) {
	s := newStore(t)
	// What the Publisher would name the stream is unknown here; a broken message in a stream of
	// the topic whose name ends in its ID is what a damaged or foreign writer could leave.
	id := eventstore.NewEventID()
	bad := eventstore.EventData{ID: id, Type: messaging.MessageEventType, SchemaVersion: 1, Data: []byte(`{"uuid":5}`)}
	if _, err := s.Append(t.Context(), "orders-"+id.String(), eventstore.NoStream, bad); err != nil {
		t.Fatal(err)
	}
	msg := next(t, subscribe(t, subscriber(t, s, ""), "orders"))
	if msg.UUID != id.String() || msg.Metadata.Get(messaging.MetadataEventType) != messaging.MessageEventType {
		t.Fatalf("got %s %v", msg.UUID, msg.Metadata)
	}
}

// A consumer group resumes after the last message it acknowledged: closing everything, the store
// included, and starting again continues with the next message, with no gap and no duplicate.
func TestSubscribe_group_resumes_after_the_last_acknowledged_message_across_a_restart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	p := publisher(t, s)
	for i := 1; i <= 20; i++ {
		if err := p.Publish("orders", message.NewMessage(fmt.Sprintf("m%02d", i), []byte("{}"))); err != nil {
			t.Fatal(err)
		}
		// other topics' events in between, which the checkpoint passes over
		if err := p.Publish("invoices", message.NewMessage(fmt.Sprintf("i%02d", i), []byte("{}"))); err != nil {
			t.Fatal(err)
		}
	}
	sub := subscriber(t, s, "billing")
	ch := subscribe(t, sub, "orders")
	for i := 1; i <= 7; i++ {
		next(t, ch).Ack()
	}
	sub.Close()
	p.Close()
	s.Close()

	s, err = sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ch = subscribe(t, subscriber(t, s, "billing"), "orders")
	for i := 8; i <= 20; i++ {
		msg := next(t, ch)
		if want := fmt.Sprintf("m%02d", i); msg.UUID != want {
			t.Fatalf("after the restart got %s, want %s", msg.UUID, want)
		}
		msg.Ack()
	}
	none(t, ch)
	other := next(t, subscribe(t, subscriber(t, s, "audit"), "orders")) // another group starts at the beginning
	if other.UUID != "m01" {
		t.Errorf("a new group starts with %s, want m01", other.UUID)
	}
}

// failingCheckpoints stands for a process that dies after a handler's work and before the
// checkpoint is saved: from the failAt-th Save on, nothing is saved.
type failingCheckpoints struct {
	messaging.CheckpointStore
	saves, failAt int
}

func (f *failingCheckpoints) Save(ctx context.Context, name string, pos eventstore.Position) error {
	f.saves++
	if f.saves >= f.failAt {
		return errors.New("the process died")
	}
	return f.CheckpointStore.Save(ctx, name, pos)
}

func TestSubscribe_group_redelivers_what_was_handled_but_not_checkpointed(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	for i := 1; i <= 5; i++ {
		if err := p.Publish("orders", message.NewMessage(fmt.Sprintf("m%d", i), []byte("{}"))); err != nil {
			t.Fatal(err)
		}
	}
	dying, err := messaging.NewSubscriber(s, messaging.SubscriberConfig{
		ConsumerGroup: "billing", Checkpoints: &failingCheckpoints{CheckpointStore: s.Checkpoints(), failAt: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := subscribe(t, dying, "orders")
	for i := 1; i <= 3; i++ { // m3 is handled, its checkpoint is lost
		next(t, ch).Ack()
	}
	dying.Close()
	ch = subscribe(t, subscriber(t, s, "billing"), "orders")
	for _, want := range []string{"m3", "m4", "m5"} {
		msg := next(t, ch)
		if msg.UUID != want {
			t.Fatalf("got %s, want %s: at least once means m3 again, and nothing skipped", msg.UUID, want)
		}
		msg.Ack()
	}
}

func TestSubscribe_two_subscriptions_of_one_group_keep_the_furthest_checkpoint(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	for i := 1; i <= 6; i++ {
		if err := p.Publish("orders", message.NewMessage(fmt.Sprintf("m%d", i), []byte("{}"))); err != nil {
			t.Fatal(err)
		}
	}
	ahead := subscribe(t, subscriber(t, s, "billing"), "orders")
	behind := subscribe(t, subscriber(t, s, "billing"), "orders")
	for range 5 {
		next(t, ahead).Ack()
	}
	m5 := topicEvents(t, s, "orders")[4].Position
	waitCheckpoint(t, s, "billing/orders", m5)
	next(t, behind).Ack() // its save of m1 is refused: the group is at m5
	if m := next(t, behind); m.UUID != "m2" {
		t.Fatalf("the slower subscription goes on with %s, want m2", m.UUID)
	}
	if pos, err := s.Checkpoints().Load(t.Context(), "billing/orders"); err != nil || pos != m5 {
		t.Fatalf("checkpoint %v, %v; want m5's position", pos, err)
	}
}

// flakyStore fails the next Subscription.Next when failNext is set, as a store with a transient
// read error would.
type flakyStore struct {
	eventstore.Store
	failNext atomic.Bool
}

type flakySubscription struct {
	eventstore.Subscription
	store *flakyStore
}

func (f *flakyStore) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := f.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &flakySubscription{Subscription: sub, store: f}, nil
}

func (s *flakySubscription) Next(ctx context.Context) (eventstore.Event, error) {
	if s.store.failNext.CompareAndSwap(true, false) {
		return eventstore.Event{}, errors.New("disk I/O error")
	}
	return s.Subscription.Next(ctx)
}

func TestSubscribe_resumes_after_a_read_error_without_gap_or_duplicate(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	if err := p.Publish("orders", message.NewMessage("m1", nil), message.NewMessage("m2", nil), message.NewMessage("m3", nil)); err != nil {
		t.Fatal(err)
	}
	flaky := &flakyStore{Store: s}
	sub, err := messaging.NewSubscriber(flaky, messaging.SubscriberConfig{RetryDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	flaky.failNext.Store(true)
	ch := subscribe(t, sub, "orders")
	for _, want := range []string{"m1", "m2", "m3"} {
		msg := next(t, ch)
		if msg.UUID != want {
			t.Fatalf("got %s, want %s", msg.UUID, want)
		}
		msg.Ack()
		flaky.failNext.Store(true)
	}
	none(t, ch)
}
