package messaging_test

import (
	"context"
	"errors"
	"strings"
	"sync"
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

func TestRouterConfig_reports_every_problem(t *testing.T) {
	_, err := messaging.NewRouter(messaging.RouterConfig{PoisonTopic: "$poison", InitialInterval: -1, MaxInterval: -2, CloseTimeout: -1})
	for _, want := range []string{"PoisonPublisher: is nil", "PoisonTopic", "InitialInterval", "MaxInterval", "CloseTimeout"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v does not name %s", err, want)
		}
	}
}

// runRouter runs router until the test ends.
func runRouter(t *testing.T, router *message.Router) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- router.Run(context.Background()) }()
	select {
	case <-router.Running():
	case <-time.After(waitFor):
		t.Fatal("the router did not start")
	}
	t.Cleanup(func() {
		router.Close()
		if err := <-done; err != nil {
			t.Errorf("router: %v", err)
		}
	})
}

// handled records the messages a handler saw and signals each one.
type handled struct {
	calls map[string]*atomic.Int32
	mu    sync.Mutex
	seen  chan string
}

func newHandled() *handled {
	return &handled{calls: map[string]*atomic.Int32{}, seen: make(chan string, 100)}
}

func (h *handled) call(uuid string) int {
	h.mu.Lock()
	c, ok := h.calls[uuid]
	if !ok {
		c = new(atomic.Int32)
		h.calls[uuid] = c
	}
	h.mu.Unlock()
	return int(c.Add(1))
}

func (h *handled) count(uuid string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.calls[uuid]; ok {
		return int(c.Load())
	}
	return 0
}

// waitDone waits until the handler has succeeded with uuid.
func (h *handled) waitDone(t *testing.T, uuid string) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case got := <-h.seen:
			if got == uuid {
				return
			}
		case <-deadline:
			t.Fatalf("message %s was not handled", uuid)
		}
	}
}

// TestRouter_retries_before_poisoning proves the middleware order (watermill#645): with Retry
// inside PoisonQueue, a handler that fails twice is retried and succeeds, one that always fails is
// retried MaxRetries times and then poisoned exactly once, and the subscription goes on.
func TestRouter_retries_before_poisoning(t *testing.T) {
	cases := []struct {
		name      string
		failures  int  // how often the handler fails before it succeeds; -1: always
		panics    bool // fail by panicking instead of returning an error
		calls     int
		poisoned  bool
		wantError string
	}{
		{name: "fails_twice_then_succeeds", failures: 2, calls: 3},
		{name: "always_fails", failures: -1, calls: 1 + messaging.DefaultMaxRetries, poisoned: true, wantError: "refused"},
		{name: "always_panics", failures: -1, panics: true, calls: 1 + messaging.DefaultMaxRetries, poisoned: true, wantError: "panic occurred"},
		{name: "succeeds", failures: 0, calls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			pub := publisher(t, s)
			router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
			if err != nil {
				t.Fatal(err)
			}
			h := newHandled()
			router.AddConsumerHandler("billing", "orders", subscriber(t, s, "billing"), func(msg *message.Message) error {
				n := h.call(msg.UUID)
				if msg.UUID == "bad" && (tc.failures < 0 || n <= tc.failures) {
					if tc.panics {
						panic("the handler broke")
					}
					return errors.New("refused")
				}
				h.seen <- msg.UUID
				return nil
			})
			runRouter(t, router)
			if err := pub.Publish("orders", message.NewMessage("bad", []byte("{}")), message.NewMessage("next", []byte("{}"))); err != nil {
				t.Fatal(err)
			}
			h.waitDone(t, "next") // the subscription moved on
			if got := h.count("bad"); got != tc.calls {
				t.Errorf("handler called %d times with the failing message, want %d", got, tc.calls)
			}
			poison := topicEvents(t, s, messaging.DefaultPoisonTopic)
			if !tc.poisoned {
				if len(poison) != 0 {
					t.Errorf("%d poisoned messages, want none", len(poison))
				}
				return
			}
			if len(poison) != 1 {
				t.Fatalf("%d poisoned messages, want exactly 1", len(poison))
			}
			msg := next(t, subscribe(t, subscriber(t, s, ""), messaging.DefaultPoisonTopic))
			if msg.UUID != "bad" || !strings.Contains(msg.Metadata.Get(middleware.ReasonForPoisonedKey), tc.wantError) ||
				msg.Metadata.Get(middleware.PoisonedTopicKey) != "orders" || msg.Metadata.Get(middleware.PoisonedHandlerKey) != "billing" {
				t.Errorf("poisoned message %s with metadata %v", msg.UUID, msg.Metadata)
			}
			waitCheckpoint(t, s, "billing/orders", topicEvents(t, s, "orders")[1].Position)
		})
	}
}

// TestRouter_middleware_in_the_other_order_never_retries shows the trap NewRouter avoids: with
// PoisonQueue added after Retry (inside it), the first error is poisoned and turned into a
// success, so Retry never runs.
func TestRouter_middleware_in_the_other_order_never_retries(t *testing.T) {
	s := newStore(t)
	pub := publisher(t, s)
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	poison, err := middleware.PoisonQueue(pub, "poison")
	if err != nil {
		t.Fatal(err)
	}
	router.AddMiddleware(middleware.Retry{MaxRetries: 3, InitialInterval: time.Millisecond}.Middleware, poison)
	h := newHandled()
	router.AddConsumerHandler("billing", "orders", subscriber(t, s, "billing"), func(msg *message.Message) error {
		h.call(msg.UUID)
		if msg.UUID == "bad" {
			return errors.New("refused")
		}
		h.seen <- msg.UUID
		return nil
	})
	runRouter(t, router)
	if err := pub.Publish("orders", message.NewMessage("bad", []byte("{}")), message.NewMessage("next", []byte("{}"))); err != nil {
		t.Fatal(err)
	}
	h.waitDone(t, "next")
	if got := h.count("bad"); got != 1 {
		t.Errorf("handler called %d times; this order was expected to skip the retries", got)
	}
}

func TestRouter_carries_the_correlation_ID_of_a_domain_event_to_produced_messages(t *testing.T) {
	s := newStore(t)
	pub := publisher(t, s)
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	router.AddHandler("notify", "process", subscriber(t, s, "notify"), "notifications", pub, func(msg *message.Message) ([]*message.Message, error) {
		return []*message.Message{message.NewMessage(watermill.NewUUID(), []byte(`{"mail":"stage completed"}`))}, nil
	})
	runRouter(t, router)
	e := domainEvent("process.stage_completed", `{"stage":"tender"}`, eventstore.Metadata{CorrelationID: "request-17"})
	if _, err := s.Append(t.Context(), "process-9", eventstore.NoStream, e); err != nil {
		t.Fatal(err)
	}
	msg := next(t, subscribe(t, subscriber(t, s, ""), "notifications"))
	if got := middleware.MessageCorrelationID(msg); got != "request-17" {
		t.Errorf("produced message has correlation ID %q, want request-17", got)
	}
	if evs := topicEvents(t, s, "notifications"); len(evs) != 1 || evs[0].Metadata.CorrelationID != "request-17" {
		t.Errorf("the produced message's event does not carry the correlation ID: %+v", evs)
	}
}

// Events appended once reach the handler once per group even when the router restarts.
func TestRouter_handles_each_event_once_across_a_clean_restart(t *testing.T) {
	path := t.TempDir() + "/db"
	seen := map[string]int{}
	run := func(appendN int) {
		s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		pub, _ := messaging.NewPublisher(s, messaging.PublisherConfig{})
		router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
		if err != nil {
			t.Fatal(err)
		}
		sub, _ := messaging.NewSubscriber(s, messaging.SubscriberConfig{ConsumerGroup: "count", Checkpoints: s.Checkpoints()})
		var last string
		got := make(chan string, 100)
		router.AddConsumerHandler("count", "process", sub, func(msg *message.Message) error {
			got <- msg.UUID
			return nil
		})
		done := make(chan error, 1)
		go func() { done <- router.Run(context.Background()) }()
		<-router.Running()
		for range appendN {
			e := domainEvent("process.started", "{}", eventstore.Metadata{})
			if _, err := s.Append(t.Context(), "process-"+e.ID.String(), eventstore.NoStream, e); err != nil {
				t.Fatal(err)
			}
			last = e.ID.String()
		}
		for id := ""; id != last; {
			select {
			case id = <-got:
				seen[id]++
			case <-time.After(waitFor):
				t.Fatal("events not handled")
			}
		}
		router.Close()
		<-done
	}
	run(5)
	run(5)
	if len(seen) != 10 {
		t.Fatalf("%d events handled, want 10", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s handled %d times", id, n)
		}
	}
}

// A router closed while a handler is at work cancels the message's context, and when the handler
// finishes anyway and the message is acknowledged, its checkpoint is saved: the next run starts
// with the next message.
func TestRouter_close_keeps_the_acknowledgement_of_a_handler_at_work(t *testing.T) {
	s := newStore(t)
	pub := publisher(t, s)
	if err := pub.Publish("orders", message.NewMessage("m1", []byte("{}")), message.NewMessage("m2", []byte("{}"))); err != nil {
		t.Fatal(err)
	}
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	working, release := make(chan struct{}), make(chan struct{})
	sub := subscriberWith(t, s, messaging.SubscriberConfig{ConsumerGroup: "billing"}) // waits DefaultCloseWait
	router.AddConsumerHandler("billing", "orders", sub, func(msg *message.Message) error {
		close(working)
		<-release
		return nil // done, whatever the context says
	})
	done := make(chan error, 1)
	go func() { done <- router.Run(context.Background()) }()
	<-working
	closing := make(chan error, 1)
	go func() { closing <- router.Close() }()
	time.Sleep(50 * time.Millisecond) // the router is closing its subscriber
	close(release)
	if err := <-closing; err != nil {
		t.Fatal(err)
	}
	<-done
	msg := next(t, subscribe(t, subscriber(t, s, "billing"), "orders"))
	if msg.UUID != "m2" {
		t.Fatalf("after the restart got %s, want m2", msg.UUID)
	}
}
