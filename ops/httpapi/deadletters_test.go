package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
)

func TestAPI_administrators_see_and_replay_their_tenants_dead_letters(t *testing.T) {
	t.Parallel()
	recv := &notifytest.Failing{N: 3}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	hooks := &notify.Webhooks{Clock: time.Now, Targets: []notify.Target{{Tenant: "leipzig", URL: hook.URL, Secret: "sechzehn-zeichen!"}}}
	s := newServerOpts(t, serverOpts{notifiers: &notify.Notifiers{Webhooks: hooks, Clock: time.Now}})
	// the router gives up after one retry: the third failure is left for the replay
	pub, _ := messaging.NewPublisher(s.store, messaging.PublisherConfig{})
	sub, _ := messaging.NewSubscriber(s.store, messaging.SubscriberConfig{ConsumerGroup: notify.Handler, Checkpoints: s.store.Checkpoints()})
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub, MaxRetries: 1, InitialInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	router.AddConsumerHandler(notify.Handler, "process", sub, hooks.Handle)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() { router.Close(); sub.Close(); pub.Close() })
	data, schema, _ := process.Encode(process.ReminderDue{Deadline: "publication", Before: 7, EndsAt: time.Date(2025, 3, 20, 23, 0, 0, 0, time.UTC)})
	if _, err := s.store.Append(context.Background(), "process-"+uuid.NewString(), eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(),
		Type: "process.reminder_due", SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: process.SystemUser}}); err != nil {
		t.Fatal(err)
	}
	var items []any
	// A bound against a hang: the package's tests run in parallel on a busy machine.
	for deadline := time.Now().Add(time.Minute); len(items) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		items = s.call("GET", "/api/v1/notifications/dead-letters", "administrator@leipzig", nil).json(t)["items"].([]any)
	}
	if len(items) != 1 {
		t.Fatalf("%d dead letters, want 1", len(items))
	}
	dl := items[0].(map[string]any)
	id := dl["id"].(string)
	if dl["handler"] != notify.Handler || dl["reason"] == "" || dl["delivery"].(map[string]any)["before"] != 7.0 {
		t.Fatalf("dead letter %v", dl)
	}
	for _, tc := range []struct {
		name, method, path, who string
		want                    int
	}{
		{"another_tenants_administrator_sees_none", "GET", "/api/v1/notifications/dead-letters", "administrator@menden", http.StatusOK},
		{"a_lead_may_not_look", "GET", "/api/v1/notifications/dead-letters", "lead@leipzig", http.StatusForbidden},
		{"an_auditor_looks", "GET", "/api/v1/notifications/dead-letters", "auditor@leipzig", http.StatusOK},
		{"an_auditor_may_not_replay", "POST", "/api/v1/notifications/dead-letters/" + id + "/replay", "auditor@leipzig", http.StatusForbidden},
		{"another_tenants_administrator_cannot_replay", "POST", "/api/v1/notifications/dead-letters/" + id + "/replay", "administrator@menden", http.StatusNotFound},
		{"a_replay_to_a_receiver_that_still_fails_is_502", "POST", "/api/v1/notifications/dead-letters/" + id + "/replay", "administrator@leipzig", http.StatusBadGateway},
		{"the_next_replay_delivers", "POST", "/api/v1/notifications/dead-letters/" + id + "/replay", "administrator@leipzig", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.call(tc.method, tc.path, tc.who, nil)
			if r.status != tc.want {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.who == "administrator@menden" && tc.method == "GET" && len(r.json(t)["items"].([]any)) != 0 {
				t.Errorf("menden sees leipzig's dead letters")
			}
		})
	}
	after := s.call("GET", "/api/v1/notifications/dead-letters", "administrator@leipzig", nil).json(t)["items"].([]any)
	if after[0].(map[string]any)["replayed"] == nil || recv.Accepted() != 1 {
		t.Errorf("after the replay: %v, receiver accepted %d", after, recv.Accepted())
	}
}
