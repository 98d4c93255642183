package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
)

// DeadLetter is a notification that failed after every retry: the poisoned message in the
// router's poison topic, with the handler that gave up and its reason.
type DeadLetter struct {
	// ID is the dead letter's event ID in the poison topic.
	ID       string    `json:"id"`
	Handler  string    `json:"handler"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
	Delivery Delivery  `json:"delivery"`
	// Replayed is when it was delivered again successfully; zero while it is dead.
	Replayed time.Time `json:"replayed,omitzero"`
	msg      *message.Message
}

// The log of replays: one event per dead letter delivered again.
const (
	replayStream = "notify-replays"
	replayType   = "notify.dead_letter_replayed"
)

type replayed struct {
	DeadLetter string    `json:"dead_letter"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// DeadLetters reads the dead letters of the notification handlers from the poison topic of the
// store, oldest first, each with when it was replayed.
func DeadLetters(ctx context.Context, store eventstore.Store, poisonTopic string) ([]DeadLetter, error) {
	done, err := replays(ctx, store)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	after := eventstore.Start
	for {
		page, err := store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Filter: eventstore.Filter{
			StreamPrefixes: []string{poisonTopic + "-"}, EventTypes: []string{messaging.MessageEventType}}})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			after = e.Position
			if dl, ok, err := deadLetterOf(e); err != nil {
				return nil, err
			} else if ok {
				dl.Replayed = done[dl.ID]
				out = append(out, dl)
			}
		}
		if len(page) < eventstore.DefaultReadAllLimit {
			return out, nil
		}
	}
}

func deadLetterOf(e eventstore.Event) (DeadLetter, bool, error) {
	msg, err := messaging.MessageOf(e)
	if err != nil {
		return DeadLetter{}, false, err
	}
	handler := msg.Metadata.Get(middleware.PoisonedHandlerKey)
	if handler != Handler && handler != MailHandler {
		return DeadLetter{}, false, nil
	}
	d, ok, err := deliveryOf(msg)
	if err != nil || !ok {
		return DeadLetter{}, false, err
	}
	return DeadLetter{ID: e.ID.String(), Handler: handler, Reason: msg.Metadata.Get(middleware.ReasonForPoisonedKey),
		At: e.RecordedAt, Delivery: d, msg: msg}, true, nil
}

func replays(ctx context.Context, store eventstore.Store) (map[string]time.Time, error) {
	events, err := store.ReadStream(ctx, replayStream, eventstore.ReadStreamOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, e := range events {
		var r replayed
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return nil, err
		}
		out[r.DeadLetter] = r.At
	}
	return out, nil
}

// Notifiers are the handlers a dead letter can be delivered again by.
type Notifiers struct {
	Webhooks *Webhooks
	Mailer   *Mailer
	// Clock dates the record of a replay. Required.
	Clock func() time.Time
}

// ErrNoNotifier means the handler of a dead letter is not configured any more.
var ErrNoNotifier = errors.New("notify: the dead letter's notifier is not configured")

// Replay delivers a dead letter again (same idempotency ID) by the handler that gave up on it and,
// when that succeeds, records it in the log (by whom), so that it is no longer listed as dead.
func (n Notifiers) Replay(ctx context.Context, store eventstore.Store, dl DeadLetter, by string) error {
	msg := dl.msg.Copy()
	msg.SetContext(ctx)
	var err error
	switch {
	case dl.Handler == Handler && n.Webhooks != nil:
		err = n.Webhooks.Handle(msg)
	case dl.Handler == MailHandler && n.Mailer != nil:
		err = n.Mailer.Handle(msg)
	default:
		return fmt.Errorf("%w: %s", ErrNoNotifier, dl.Handler)
	}
	if err != nil {
		return err
	}
	b, _ := json.Marshal(replayed{DeadLetter: dl.ID, By: by, At: n.Clock().UTC()})
	_, err = store.Append(ctx, replayStream, eventstore.Any, eventstore.EventData{
		ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("replay/"+dl.ID+"/"+n.Clock().String())), Type: replayType, SchemaVersion: 1, Data: b,
		Metadata: eventstore.Metadata{Tenant: dl.Delivery.Tenant, Actor: by}})
	return err
}
