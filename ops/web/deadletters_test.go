package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

// deadLetterSite is a site whose dashboard replays through a webhook to recv, with one
// escalation of Leipzig dead-lettered after the router gave up (one retry).
func deadLetterSite(t *testing.T, recv *notifytest.Failing) (*site, string) {
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	hooks := &notify.Webhooks{Clock: time.Now, Targets: []notify.Target{{Tenant: "leipzig", URL: hook.URL + "/fachverfahren", Secret: "sechzehn-zeichen!"}}}
	s := newSiteConfigured(t, nil, func(c *web.Config, _ map[string]string) {
		c.Notifiers = &notify.Notifiers{Webhooks: hooks, Clock: time.Now}
	})
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
	end := time.Date(2025, 8, 20, 22, 0, 0, 0, time.UTC)
	data, schema, _ := process.Encode(process.EscalationDue{Deadline: "publication", Stage: "publication", After: 3, EndsAt: end, At: end.AddDate(0, 0, 3)})
	if _, err := s.store.Append(context.Background(), "process-"+s.leipzig.String(), eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(),
		Type: "process.escalation_due", SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: process.SystemUser}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		all, err := notify.DeadLetters(context.Background(), s.store, messaging.DefaultPoisonTopic)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) == 1 {
			return s, all[0].ID
		}
	}
	t.Fatal("no dead letter")
	return nil, ""
}

// deadLettersPage is the dead-letters page in the table of pages an auditor's reads are recorded on.
var deadLettersPage = auditedPage{"dead-lettered notifications", "GET /notifications/dead-letters", "/notifications/dead-letters", "/notifications/dead-letters", "", ""}

func TestDeadLetters_page_is_withheld_from_an_auditor_when_the_read_cannot_be_recorded(t *testing.T) {
	s := newSiteWith(t, auditlogtest.Refusing)
	b := s.browser()
	b.signIn("auditor@leipzig")
	if p := b.get(deadLettersPage.path); p.status != http.StatusServiceUnavailable {
		t.Fatalf("%d", p.status)
	}
}

var replayForm = regexp.MustCompile(`action="/notifications/dead-letters/([^/"]+)/replay"`)

func TestDeadLetters_page_shows_what_to_whom_the_error_and_attempts(t *testing.T) {
	recv := &notifytest.Failing{N: 100}
	s, id := deadLetterSite(t, recv)
	for _, tc := range []struct {
		who          string
		status       int
		listed, form bool
	}{
		{"administrator@leipzig", http.StatusOK, true, true},
		{"auditor@leipzig", http.StatusOK, true, false},
		{"administrator@menden", http.StatusOK, false, false},
		{"lead@leipzig", http.StatusForbidden, false, false},
		{"viewer@leipzig", http.StatusForbidden, false, false},
	} {
		t.Run(strings.ReplaceAll(tc.who, "@", "_of_"), func(t *testing.T) {
			b := s.browser()
			b.signIn(tc.who)
			p := b.get("/notifications/dead-letters")
			if p.status != tc.status {
				t.Fatalf("%d", p.status)
			}
			listed := strings.Contains(p.body, s.leipzig.String())
			if listed != tc.listed {
				t.Fatalf("listed %v, want %v", listed, tc.listed)
			}
			if listed && !(strings.Contains(p.body, "Eskalation") && strings.Contains(p.body, "/fachverfahren") &&
				strings.Contains(p.body, "503") && strings.Contains(p.body, "<td>4</td>") && strings.Contains(p.body, "„publication“")) {
				t.Errorf("the row lacks what, to whom, the error or the attempts:\n%s", p.body)
			}
			if m := replayForm.FindStringSubmatch(p.body); (m != nil) != tc.form || (m != nil && m[1] != id) {
				t.Errorf("replay form %v, want %v", m, tc.form)
			}
		})
	}
}

func TestDeadLetters_replay(t *testing.T) {
	recv := &notifytest.Failing{N: 3} // two attempts by the router, the first replay fails, the second delivers
	s, id := deadLetterSite(t, recv)
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	admin.get("/notifications/dead-letters")
	replay := func(b *browser, form url.Values) page {
		return b.post("/notifications/dead-letters/"+id+"/replay", form)
	}
	t.Run("without_the_csrf_token_nothing_is_sent", func(t *testing.T) {
		if p := replay(admin, url.Values{}); p.status != http.StatusForbidden || recv.Accepted() != 0 {
			t.Fatalf("%d, receiver accepted %d", p.status, recv.Accepted())
		}
	})
	t.Run("an_auditor_may_not_replay_and_the_refusal_is_recorded", func(t *testing.T) {
		b := s.browser()
		b.signIn("auditor@leipzig")
		b.get("/notifications/dead-letters")
		before := len(auditlogtest.Accesses(t, s.store, "leipzig"))
		if p := replay(b, url.Values{"csrf": {b.csrf}}); p.status != http.StatusForbidden {
			t.Fatalf("%d", p.status)
		}
		got := auditlogtest.Accesses(t, s.store, "leipzig")
		if len(got) != before+1 || got[before].Method != "POST" || got[before].Status != http.StatusForbidden {
			t.Fatalf("records %+v", got[before:])
		}
	})
	t.Run("another_tenants_administrator_gets_not_found", func(t *testing.T) {
		b := s.browser()
		b.signIn("administrator@menden")
		b.get("/notifications/dead-letters")
		if p := replay(b, url.Values{"csrf": {b.csrf}}); p.status != http.StatusNotFound {
			t.Fatalf("%d", p.status)
		}
	})
	t.Run("a_receiver_that_fails_again_is_told", func(t *testing.T) {
		p := replay(admin, url.Values{"csrf": {admin.csrf}})
		if p.status != http.StatusBadGateway || !strings.Contains(p.body, "erneut fehlgeschlagen") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
	t.Run("the_next_replay_delivers_and_the_page_says_so", func(t *testing.T) {
		if p := replay(admin, url.Values{"csrf": {admin.csrf}}); p.status != http.StatusSeeOther {
			t.Fatalf("%d", p.status)
		}
		p := admin.get("/notifications/dead-letters?done=replay")
		if p.status != http.StatusOK || !strings.Contains(p.body, "erneut zugestellt") || recv.Accepted() != 1 || replayForm.MatchString(p.body) {
			t.Fatalf("%d, receiver accepted %d\n%s", p.status, recv.Accepted(), p.body)
		}
	})
}
