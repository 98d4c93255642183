package notify_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
	"github.com/civicflow/civicflow/workflows/timers"
)

const escalatingTemplate = `id: frist
title: {de: Frist, en: Period}
calendar: DE-SN
stages:
  - key: comments
    title: {de: Stellungnahmen, en: Comments}
  - key: decision
    title: {de: Entscheidung, en: Decision}
deadlines:
  - key: comments
    title: {de: Frist für Stellungnahmen, en: Period for comments}
    stage: comments
    kind: maximum
    days: 14
    escalate_days: 3
    legal_basis: "Satzung § 4"
`

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// From the template to the receivers: the scheduler fires the escalation of a process that did not
// leave its stage, and the outbox delivers it by webhook and by mail to the escalation recipients.
func TestEscalation_fired_by_the_scheduler_reaches_webhook_and_mail_once(t *testing.T) {
	ctx := context.Background()
	box := notifytest.Start(t)
	f := newFixture(t, 0)
	f.runMailer(t, &notify.Mailer{Clock: time.Now, Targets: []notify.MailTarget{{Tenant: "leipzig", Addr: box.Addr,
		From: "civicflow@leipzig.example", To: []string{"fristen@leipzig.example"}, EscalateTo: []string{"amtsleitung@leipzig.example"}}}})
	clock := &testClock{now: time.Now().Add(time.Minute)} // after the store dates what is recorded below
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: f.store, Vault: f.store.Vault(), Gates: g, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.Parse([]byte(escalatingTemplate))
	if err != nil {
		t.Fatal(err)
	}
	admin := process.Actor{User: "ines", Tenant: "leipzig", Role: "administrator"}
	if _, err := eng.PublishTemplate(ctx, process.Meta{Actor: admin, CommandID: "tpl"}, tpl); err != nil {
		t.Fatal(err)
	}
	res, err := eng.Open(ctx, process.Meta{Actor: admin, CommandID: "open"}, engine.OpenProcess{Template: "frist", Title: "Satzung"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := timers.New(timers.Config{Engine: eng, Store: f.store, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// The fixture's store dates the entry into the stage by the wall clock: the period ends 14 days
	// after today, and the escalation is due three days later.
	pending, _, err := eng.Timers(ctx, admin, res.Process)
	if err != nil || len(pending) != 2 || pending[0].After != 3 || !pending[0].At.Equal(pending[0].EndsAt.AddDate(0, 0, 3)) {
		t.Fatalf("pending timers %+v (%v), want the end and the escalation three days later", pending, err)
	}
	end := pending[0].EndsAt
	for _, at := range []time.Time{end.Add(time.Second), end.AddDate(0, 0, 3).Add(time.Second)} {
		clock.Set(at)
		if n, err := s.FireDue(ctx); err != nil || n != 1 {
			t.Fatalf("at %s fired %d (%v), want 1", at, n, err)
		}
	}
	var escalation notify.Delivery
	for deadline := time.Now().Add(10 * time.Second); escalation.ID == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f.recv.mu.Lock()
		for _, d := range f.recv.accepted {
			if d.Type == "process.escalation_due" {
				escalation = d
			}
		}
		f.recv.mu.Unlock()
	}
	if escalation.Process != res.Process.String() || escalation.After != 3 || !escalation.EndsAt.Equal(end) || escalation.Late {
		t.Fatalf("webhook escalation %+v", escalation)
	}
	for deadline := time.Now().Add(10 * time.Second); len(box.Messages()) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	var toEscalation [][]string
	for _, m := range box.Messages() {
		if m.Message.Header.Get("Message-ID") == "<"+escalation.ID+"@civicflow>" {
			to := slices.Clone(m.To)
			slices.Sort(to)
			toEscalation = append(toEscalation, to)
		}
	}
	if len(toEscalation) != 1 || !slices.Equal(toEscalation[0], []string{"amtsleitung@leipzig.example", "fristen@leipzig.example"}) {
		t.Fatalf("escalation mails to %v of %d messages, want one to fristen and amtsleitung", toEscalation, len(box.Messages()))
	}
}
