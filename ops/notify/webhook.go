// Package notify tells systems about the time of processes: webhooks receive the ends of legal
// periods, the reminders before them and the escalations after them (process.deadline_reached,
// process.reminder_due, process.escalation_due) as signed JSON. Deliveries come from the log through a Watermill router handler (an outbox derived
// from the log, no dual write): a failing receiver is retried with back-off by the router, and
// what still fails goes to the router's poison topic, the dead letters, which DeadLetters lists
// and Replay delivers again. Every delivery carries the event's ID as its idempotency ID.
//
//	hooks := &notify.Webhooks{Targets: targets, Clock: time.Now}
//	router.AddConsumerHandler(notify.Handler, "process", groupSubscriber, hooks.Handle)
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/messaging"
)

// Handler names the router handler; never rename it (its consumer group keeps its progress).
const Handler = "notify"

// The headers of a delivery.
const (
	HeaderID        = "Idempotency-Key"
	HeaderTimestamp = "Civicflow-Timestamp"
	HeaderSignature = "Civicflow-Signature"
)

// Delivery is the JSON a webhook receives.
type Delivery struct {
	// ID is the event's ID: the same for every attempt and replay (idempotency).
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Tenant   string    `json:"tenant"`
	Process  string    `json:"process"`
	Deadline string    `json:"deadline"`
	EndsAt   time.Time `json:"ends_at"`
	Before   int       `json:"before,omitempty"`
	// After is set for an escalation: the period ended After days ago and its stage was not left.
	After int  `json:"after,omitempty"`
	Late  bool `json:"late,omitempty"`
}

// Target is a tenant's webhook: its URL and the secret its deliveries are signed with.
type Target struct {
	Tenant, URL, Secret string
}

// Webhooks delivers to the targets of each event's tenant.
type Webhooks struct {
	// Targets are the webhooks.
	Targets []Target
	// Client sends the requests; default one with a 10 s timeout.
	Client *http.Client
	// Clock dates the signatures. Required.
	Clock func() time.Time
}

// DeliveryOf returns the delivery of an event, and false for events that are not told.
func DeliveryOf(e eventstore.Event) (Delivery, bool, error) {
	if e.Type != (process.DeadlineReached{}).Type() && e.Type != (process.ReminderDue{}).Type() && e.Type != (process.EscalationDue{}).Type() {
		return Delivery{}, false, nil
	}
	payload, err := process.Decode(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return Delivery{}, false, err
	}
	d := Delivery{ID: e.ID.String(), Type: e.Type, Tenant: e.Metadata.Tenant, Process: strings.TrimPrefix(e.Stream, "process-")}
	switch p := payload.(type) {
	case process.DeadlineReached:
		d.Deadline, d.EndsAt, d.Late = p.Deadline, p.EndsAt, p.Late
	case process.ReminderDue:
		d.Deadline, d.EndsAt, d.Before, d.Late = p.Deadline, p.EndsAt, p.Before, p.Late
	case process.EscalationDue:
		d.Deadline, d.EndsAt, d.After, d.Late = p.Deadline, p.EndsAt, p.After, p.Late
	}
	return d, true, nil
}

// deliveryOf returns the delivery of a router message, false for events that are not told.
func deliveryOf(msg *message.Message) (Delivery, bool, error) {
	e, err := messaging.EventOf(msg)
	if err != nil {
		return Delivery{}, false, err
	}
	return DeliveryOf(e)
}

// Handle is the router handler: it delivers the message's event to every target of its tenant
// and fails when one fails (the router retries; receivers drop what they saw by its ID).
func (w *Webhooks) Handle(msg *message.Message) error {
	d, ok, err := deliveryOf(msg)
	if err != nil || !ok {
		return err
	}
	var errs error
	for _, t := range w.Targets {
		if t.Tenant == d.Tenant {
			errs = errors.Join(errs, w.Send(msg.Context(), t, d))
		}
	}
	return errs
}

// Send posts one delivery to a target, signed.
func (w *Webhooks) Send(ctx context.Context, t Target, d Delivery) error {
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	ts := w.Clock().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderID, d.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(t.Secret, ts, body))
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", t.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("notify: %s answered %d", t.URL, resp.StatusCode)
	}
	return nil
}

// Sign returns the signature header of a body sent at ts (Unix seconds): "v1=" and the
// hexadecimal HMAC-SHA256 of "<ts>.<body>" under the secret.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrSignature means a delivery's signature or timestamp does not verify.
var ErrSignature = errors.New("notify: bad signature")

// Verify checks a delivery as a receiver should: the signature over timestamp and body, and a
// timestamp no further than tolerance from now (against replays).
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignature, timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s is %s away", ErrSignature, timestamp, d)
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return ErrSignature
	}
	return nil
}
