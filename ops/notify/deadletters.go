package notify

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/civicflow/civicflow/ops/messaging"
)

// DeadLetter is a delivery that failed after every retry, with the router's reason.
type DeadLetter struct {
	Delivery Delivery
	Reason   string
	msg      *message.Message
}

// DeadLetters reads the dead letters of this handler from the poison topic until ctx ends or
// want letters were read (want ≤ 0: until ctx ends).
func DeadLetters(ctx context.Context, poison message.Subscriber, topic string, want int) ([]DeadLetter, error) {
	ch, err := poison.Subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	for want <= 0 || len(out) < want {
		select {
		case msg, ok := <-ch:
			if !ok {
				return out, nil
			}
			msg.Ack()
			if msg.Metadata.Get(middleware.PoisonedHandlerKey) != Handler {
				continue
			}
			e, err := messaging.EventOf(msg)
			if err != nil {
				return out, err
			}
			d, ok, err := DeliveryOf(e)
			if err != nil || !ok {
				return out, fmt.Errorf("notify: dead letter %s: %v", msg.UUID, err)
			}
			out = append(out, DeadLetter{Delivery: d, Reason: msg.Metadata.Get(middleware.ReasonForPoisonedKey), msg: msg})
		case <-ctx.Done():
			return out, nil
		}
	}
	return out, nil
}

// Replay delivers a dead letter again to every target of its tenant, with its idempotency ID.
func (w *Webhooks) Replay(ctx context.Context, dl DeadLetter) error {
	msg := dl.msg.Copy()
	msg.SetContext(ctx)
	return w.Handle(msg)
}
