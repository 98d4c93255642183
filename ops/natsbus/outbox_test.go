package natsbus_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/civicflow/civicflow/ops/natsbus"
	"github.com/civicflow/civicflow/ops/natsbus/natstest"
)

// outbox opens an Outbox on a stream of the test's own (one "instance"; several share stream).
func outbox(t *testing.T, stream string, ackWait time.Duration) *natsbus.Outbox {
	t.Helper()
	o, err := natsbus.NewOutbox(natsbus.OutboxConfig{URL: natstest.URL(t), Stream: stream, AckWait: ackWait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func testStream(t *testing.T) string {
	name := "civicflow_outbox_t" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	natstest.DeleteStream(t, natstest.URL(t), name)
	return name
}

// received is what the instances got: message UUID → the instances, in order.
type received struct {
	mu   sync.Mutex
	by   map[string][]string
	seen chan struct{}
}

// consume subscribes o as instance to the handler's queue; it acknowledges every message unless
// ack is false (an instance that dies before it is done), until ctx ends.
func (r *received) consume(t *testing.T, ctx context.Context, o *natsbus.Outbox, instance, handler string, ack bool) {
	t.Helper()
	sub, err := o.Subscriber(handler)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(ctx, o.Subject(handler))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for msg := range msgs {
			r.mu.Lock()
			r.by[msg.UUID] = append(r.by[msg.UUID], instance)
			r.mu.Unlock()
			if ack {
				msg.Ack()
			}
			r.seen <- struct{}{}
		}
	}()
}

func newReceived() *received {
	return &received{by: map[string][]string{}, seen: make(chan struct{}, 4096)}
}

// waitFor waits until n deliveries arrived, for at most within.
func (r *received) waitFor(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for range n {
		select {
		case <-r.seen:
		case <-deadline:
			t.Fatalf("%d deliveries within %s, want %d", len(r.by), within, n)
		}
	}
}

func publish(t *testing.T, o *natsbus.Outbox, handler string, n int) []*message.Message {
	t.Helper()
	var msgs []*message.Message
	for i := range n {
		msgs = append(msgs, message.NewMessage(watermill.NewUUID(), []byte(fmt.Sprintf(`{"n":%d}`, i))))
	}
	if err := o.Publish(handler, msgs...); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestOutbox_each_message_is_handled_by_one_instance(t *testing.T) {
	stream := testStream(t)
	a, b := outbox(t, stream, time.Minute), outbox(t, stream, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, mail := newReceived(), newReceived()
	r.consume(t, ctx, a, "a", "notify", true)
	r.consume(t, ctx, b, "b", "notify", true)
	mail.consume(t, ctx, b, "b", "notify_mail", true)
	msgs := publish(t, a, "notify", 100)
	if err := b.Publish("notify", msgs[:20]...); err != nil { // published again (a forwarder restarted): dropped
		t.Fatal(err)
	}
	other := publish(t, a, "notify_mail", 5) // another handler's queue
	r.waitFor(t, 100, 30*time.Second)
	mail.waitFor(t, 5, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive now
	r.mu.Lock()
	defer r.mu.Unlock()
	count := map[string]int{}
	for _, m := range msgs {
		got := r.by[m.UUID]
		if len(got) != 1 {
			t.Errorf("message %s delivered to %v, want exactly one instance", m.UUID, got)
			continue
		}
		count[got[0]]++
	}
	if len(r.by) != len(msgs) {
		t.Errorf("%d messages delivered on notify, want %d", len(r.by), len(msgs))
	}
	if count["a"] == 0 || count["b"] == 0 {
		t.Errorf("deliveries per instance %v: the queue group should share them", count)
	}
	for _, m := range other {
		if _, ok := r.by[m.UUID]; ok {
			t.Errorf("notify_mail's message %s reached notify's queue", m.UUID)
		}
	}
}

func TestOutbox_a_message_not_acknowledged_goes_to_another_instance(t *testing.T) {
	stream := testStream(t)
	a, b := outbox(t, stream, time.Second), outbox(t, stream, time.Second)
	msgs := publish(t, b, "notify", 1) // before anyone subscribes: kept
	r := newReceived()
	ctxA, stopA := context.WithCancel(context.Background())
	r.consume(t, ctxA, a, "a", "notify", false) // takes the message and dies before it is done
	r.waitFor(t, 1, 30*time.Second)
	stopA()
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	r.consume(t, ctxB, b, "b", "notify", true)
	r.waitFor(t, 1, 30*time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	if got := r.by[msgs[0].UUID]; len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("message went to %v, want a (not acknowledged) then b", got)
	}
}

func TestNewOutbox_names_each_bad_field(t *testing.T) {
	_, err := natsbus.NewOutbox(natsbus.OutboxConfig{Stream: "a.b", MaxAge: time.Second, AckWait: time.Millisecond})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"OutboxConfig.URL: is empty", "OutboxConfig.Stream", "OutboxConfig.MaxAge", "OutboxConfig.AckWait"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
}

func TestOutbox_pending_counts_what_waits_for_an_instance(t *testing.T) {
	stream := testStream(t)
	o := outbox(t, stream, time.Minute)
	pending := func() int {
		t.Helper()
		n, err := o.Pending("notify")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := pending(); n != 0 {
		t.Fatalf("pending before anything = %d", n)
	}
	if _, err := o.Subscriber("notify"); err != nil { // the consumer, nobody subscribed yet
		t.Fatal(err)
	}
	publish(t, o, "notify", 3)
	if n := pending(); n != 3 {
		t.Fatalf("pending with three published = %d, want 3", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newReceived()
	r.consume(t, ctx, o, "a", "notify", true)
	r.waitFor(t, 3, 30*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for pending() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("pending after three acknowledged = %d, want 0", pending())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
