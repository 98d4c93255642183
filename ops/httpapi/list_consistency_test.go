package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// slowFeed is a store whose subscriptions hand out each event only after a delay, so that a read
// model fed from it lags behind the log.
type slowFeed struct {
	eventstore.Store
	delay time.Duration
}

func (s slowFeed) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := s.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return slowSubscription{sub, s.delay}, nil
}

type slowSubscription struct {
	eventstore.Subscription
	delay time.Duration
}

func (s slowSubscription) Next(ctx context.Context) (eventstore.Event, error) {
	e, err := s.Subscription.Next(ctx)
	if err == nil {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return eventstore.Event{}, ctx.Err()
		}
	}
	return e, err
}

// A command does not wait for the process list; a list request waits until the list shows every
// write acknowledged before it, whoever made it.
func TestList_shows_every_write_acknowledged_before_the_request(t *testing.T) {
	t.Parallel()
	s := newServerOpts(t, serverOpts{list: func(st eventstore.Store) eventstore.Store { return slowFeed{st, 5 * time.Millisecond} }})
	id := s.open("leipzig", "Spielplatz am Auwald")
	for range 3 {
		r := s.call("POST", "/api/v1/processes/"+id+"/record_contribution", "lead@leipzig", map[string]any{"topic": "Rutsche", "text": "Bitte eine breitere Rutsche"})
		if r.status != http.StatusOK {
			t.Fatalf("record_contribution: %d %s", r.status, r.body)
		}
	}
	r := s.call("GET", "/api/v1/processes", "member@leipzig", nil)
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	items := r.json(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("the list does not show the process opened before the request: %s", r.body)
	}
	head, err := s.store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.json(t)["position"]; got != head.String() {
		t.Errorf("the list is current up to %v, want the log's head %v", got, head)
	}
}
