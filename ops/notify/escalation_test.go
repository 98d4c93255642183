package notify_test

import (
	"bytes"
	"mime"
	"slices"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
)

func TestEscalation_reaches_the_webhook_signed_and_the_escalation_recipients_by_mail(t *testing.T) {
	box := notifytest.Start(t)
	f := newFixture(t, 1) // the webhook fails once: the router's retry delivers it
	f.runMailer(t, &notify.Mailer{Clock: time.Now, Targets: []notify.MailTarget{{Tenant: "leipzig", Addr: box.Addr,
		From: "civicflow@leipzig.example", To: []string{"fristen@leipzig.example"}, EscalateTo: []string{"amtsleitung@leipzig.example"}}}})
	end := time.Date(2028, 10, 4, 22, 0, 0, 0, time.UTC)
	id := f.append(t, process.EscalationDue{Deadline: "publication", Stage: "publication", After: 3, EndsAt: end, At: end.AddDate(0, 0, 3), Late: true})
	f.wait(t)
	waitMail(t, box)
	f.recv.mu.Lock()
	d, ok := f.recv.accepted[id]
	f.recv.mu.Unlock()
	if !ok || d.Type != "process.escalation_due" || d.After != 3 || d.Before != 0 || !d.Late || !d.EndsAt.Equal(end) || d.Tenant != "leipzig" || f.recv.bad != 0 {
		t.Fatalf("webhook got %+v (%v), %d bad signatures", d, ok, f.recv.bad)
	}
	got := box.Messages()[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(got.Message.Header.Get("Subject"))
	slices.Sort(got.To)
	if subject != "Eskalation: Frist „publication“ seit 3 Tagen abgelaufen / escalation" ||
		!slices.Equal(got.To, []string{"amtsleitung@leipzig.example", "fristen@leipzig.example"}) ||
		got.Message.Header.Get("Message-ID") != "<"+id+"@civicflow>" ||
		!bytes.Contains(got.Body, []byte("seit 3 Tagen abgelaufen (sie endet am 04.10.2028, 24:00 Uhr)")) ||
		!bytes.Contains(got.Body, []byte("ended 3 days ago")) {
		t.Fatalf("subject %q, to %v, body:\n%s", subject, got.To, got.Body)
	}
}

func TestMailer_sends_a_period_end_without_the_escalation_recipients(t *testing.T) {
	box := notifytest.Start(t)
	f := newFixture(t, 0)
	f.runMailer(t, &notify.Mailer{Clock: time.Now, Targets: []notify.MailTarget{{Tenant: "leipzig", Addr: box.Addr,
		From: "civicflow@leipzig.example", To: []string{"fristen@leipzig.example"}, EscalateTo: []string{"amtsleitung@leipzig.example"}}}})
	f.reached(t)
	waitMail(t, box)
	if to := box.Messages()[0].To; !slices.Equal(to, []string{"fristen@leipzig.example"}) {
		t.Fatalf("a period end went to %v, want only the period's recipients", to)
	}
}
