package notify_test

import (
	"bytes"
	"context"
	"mime"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
)

func TestMailer_sends_a_reminder_in_german_and_english_through_a_real_smtp_server(t *testing.T) {
	box := notifytest.Start(t)
	f := newFixture(t, 0)
	mailer := &notify.Mailer{Clock: time.Now, Targets: []notify.MailTarget{{Tenant: "leipzig", Addr: box.Addr,
		From: "civicflow@leipzig.example", To: []string{"bauleitplanung@leipzig.example"}}}}
	f.runMailer(t, mailer)
	id := f.reached(t)
	waitMail(t, box)
	got := box.Messages()[0]
	msg, body := got.Message, got.Body
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Frist „publication“ abgelaufen / period ended" || msg.Header.Get("Message-ID") != "<"+id+"@civicflow>" ||
		got.To[0] != "bauleitplanung@leipzig.example" || !bytes.Contains(body, []byte("endet am 04.10.2028, 24:00 Uhr")) ||
		!bytes.Contains(body, []byte("ends on 4 Oct 2028, 24:00")) {
		t.Fatalf("subject %q, headers %v, to %v, body:\n%s", subject, msg.Header, got.To, body)
	}
}

// runMailer runs the mailer on the fixture's store as serve's router does.
func (f *fixture) runMailer(t *testing.T, mailer *notify.Mailer) {
	sub, err := messaging.NewSubscriber(f.store, messaging.SubscriberConfig{ConsumerGroup: notify.MailHandler, Checkpoints: f.store.Checkpoints()})
	if err != nil {
		t.Fatal(err)
	}
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: f.pub})
	if err != nil {
		t.Fatal(err)
	}
	router.AddConsumerHandler(notify.MailHandler, "process", sub, mailer.Handle)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() { router.Close(); sub.Close() })
}

func waitMail(t *testing.T, box *notifytest.Mailbox) {
	t.Helper()
	select {
	case <-box.Got:
	case <-time.After(10 * time.Second):
		t.Fatal("no mail arrived")
	}
}
