package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// receiver is a real HTTP endpoint that verifies every delivery's signature, fails the first
// failures requests and keeps what it accepted by idempotency ID.
type receiver struct {
	mu       sync.Mutex
	failures int
	attempts int
	bad      int
	accepted map[string]notify.Delivery
	got      chan struct{}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if err := notify.Verify("geheim", req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
		r.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if r.failures > 0 {
		r.failures--
		http.Error(w, "gerade nicht", http.StatusServiceUnavailable)
		return
	}
	var d notify.Delivery
	_ = jsonUnmarshal(body, &d)
	if _, seen := r.accepted[req.Header.Get(notify.HeaderID)]; !seen {
		r.accepted[req.Header.Get(notify.HeaderID)] = d
		select {
		case r.got <- struct{}{}:
		default:
		}
	}
}

type fixture struct {
	store *sqlite.Store
	recv  *receiver
	hooks *notify.Webhooks
	pub   *messaging.Publisher
}

func newFixture(t *testing.T, failures int) *fixture {
	ctx := context.Background()
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	recv := &receiver{failures: failures, accepted: map[string]notify.Delivery{}, got: make(chan struct{}, 10)}
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	pub, err := messaging.NewPublisher(store, messaging.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	hooks := &notify.Webhooks{Clock: time.Now, Targets: []notify.Target{{Tenant: "leipzig", URL: srv.URL, Secret: "geheim"}, {Tenant: "menden", URL: srv.URL + "/menden", Secret: "anders"}}}
	sub, err := messaging.NewSubscriber(store, messaging.SubscriberConfig{ConsumerGroup: notify.Handler, Checkpoints: store.Checkpoints(), NackResendDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub, MaxRetries: 3, InitialInterval: 10 * time.Millisecond, MaxInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	router.AddConsumerHandler(notify.Handler, "process", sub, hooks.Handle)
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	t.Cleanup(func() { router.Close(); sub.Close(); pub.Close() })
	return &fixture{store: store, recv: recv, hooks: hooks, pub: pub}
}

func (f *fixture) reached(t *testing.T) string {
	return f.append(t, process.DeadlineReached{Deadline: "publication", EndsAt: time.Date(2028, 10, 4, 22, 0, 0, 0, time.UTC), At: time.Date(2028, 10, 4, 22, 0, 1, 0, time.UTC)})
}

// append records an event of the engine's in a process of the tenant leipzig; it returns its ID.
func (f *fixture) append(t *testing.T, p process.Payload) string {
	data, schema, _ := process.Encode(p)
	id := eventstore.NewEventID()
	if _, err := f.store.Append(context.Background(), "process-"+uuid.NewString(), eventstore.Any, eventstore.EventData{ID: id, Type: p.Type(),
		SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: process.SystemUser}}); err != nil {
		t.Fatal(err)
	}
	return id.String()
}

func (f *fixture) wait(t *testing.T) {
	t.Helper()
	select {
	case <-f.recv.got:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing delivered")
	}
}

func TestWebhooks_deliver_a_period_end_signed_once(t *testing.T) {
	f := newFixture(t, 2) // fails twice: the router's retries deliver it
	id := f.reached(t)
	f.wait(t)
	f.recv.mu.Lock()
	defer f.recv.mu.Unlock()
	d, ok := f.recv.accepted[id]
	if !ok || d.Deadline != "publication" || d.Tenant != "leipzig" || d.Type != "process.deadline_reached" || f.recv.bad != 0 || f.recv.attempts != 3 {
		t.Fatalf("accepted %+v (%v), %d attempts, %d bad signatures", f.recv.accepted, ok, f.recv.attempts, f.recv.bad)
	}
}

func TestWebhooks_a_receiver_failing_five_times_gets_a_dead_letter_that_replays(t *testing.T) {
	f := newFixture(t, 5)
	id := f.reached(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var dead []notify.DeadLetter
	for ctx.Err() == nil && len(dead) == 0 {
		var err error
		if dead, err = notify.DeadLetters(ctx, f.store, messaging.DefaultPoisonTopic); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(dead) != 1 || dead[0].Delivery.ID != id || dead[0].Reason == "" || dead[0].Handler != notify.Handler || !dead[0].Replayed.IsZero() {
		t.Fatalf("dead letters %+v", dead)
	}
	f.recv.mu.Lock()
	attempts := f.recv.attempts
	f.recv.mu.Unlock()
	if attempts != 4 { // the first try and three retries
		t.Fatalf("%d attempts before the dead letter, want 4", attempts)
	}
	n := notify.Notifiers{Webhooks: f.hooks, Clock: time.Now}
	if err := n.Replay(ctx, f.store, dead[0], "ines"); err == nil { // the fifth failure
		t.Fatal("a replay to a receiver that still fails succeeded")
	}
	if still, _ := notify.DeadLetters(ctx, f.store, messaging.DefaultPoisonTopic); len(still) != 1 || !still[0].Replayed.IsZero() {
		t.Fatalf("after a failed replay: %+v", still)
	}
	if err := n.Replay(ctx, f.store, dead[0], "ines"); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if err := n.Replay(ctx, f.store, dead[0], "ines"); err != nil {
		t.Fatalf("replay again: %v", err)
	}
	if after, _ := notify.DeadLetters(ctx, f.store, messaging.DefaultPoisonTopic); len(after) != 1 || after[0].Replayed.IsZero() {
		t.Fatalf("after the replay: %+v", after)
	}
	f.recv.mu.Lock()
	defer f.recv.mu.Unlock()
	if len(f.recv.accepted) != 1 || f.recv.bad != 0 {
		t.Fatalf("accepted %d deliveries, %d bad signatures; want one, by its idempotency ID", len(f.recv.accepted), f.recv.bad)
	}
}

func TestVerify_refuses_a_changed_body_an_old_timestamp_and_another_secret(t *testing.T) {
	now := time.Now()
	body := []byte(`{"id":"x"}`)
	ts := now.Unix()
	sig := notify.Sign("geheim", ts, body)
	for name, err := range map[string]error{
		"changed_body":  notify.Verify("geheim", itoa(ts), sig, []byte(`{"id":"y"}`), now, time.Minute),
		"old_timestamp": notify.Verify("geheim", itoa(ts-600), notify.Sign("geheim", ts-600, body), body, now, time.Minute),
		"other_secret":  notify.Verify("anders", itoa(ts), sig, body, now, time.Minute),
	} {
		if err == nil {
			t.Errorf("%s verified", name)
		}
	}
	if err := notify.Verify("geheim", itoa(ts), sig, body, now, time.Minute); err != nil {
		t.Errorf("a good delivery: %v", err)
	}
}

var _ message.Subscriber = (*messaging.Subscriber)(nil)
