package messaging

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/runner"
)

// Source feeds projections/runner through Watermill: each read model's Follow is a
// Subscriber.Follow after the read model's own checkpoint, and an event is acknowledged once the
// runner committed it. It is safe for concurrent use.
type Source struct {
	sub    *Subscriber
	window int
}

var _ runner.Source = (*Source)(nil)

// NewSource returns a Source over sub, which must have no consumer group (the runner's checkpoints
// are the only ones). window is FollowOptions.Window (0: DefaultFollowWindow); make it at least the
// runner's BatchSize, or batches stay smaller.
func NewSource(sub *Subscriber, window int) (*Source, error) {
	if sub == nil {
		return nil, fmt.Errorf("messaging: NewSource: subscriber is nil")
	}
	if sub.cfg.ConsumerGroup != "" {
		return nil, fmt.Errorf("messaging: NewSource: the subscriber has consumer group %q; the runner keeps its own checkpoints", sub.cfg.ConsumerGroup)
	}
	return &Source{sub: sub, window: window}, nil
}

// Follow implements runner.Source.
func (s *Source) Follow(ctx context.Context, after eventstore.Position, filter eventstore.Filter) (runner.Stream, error) {
	ch, err := s.sub.Follow(ctx, FollowOptions{After: after, Filter: filter, Window: s.window})
	if err != nil {
		return nil, err
	}
	return &stream{ch: ch}, nil
}

type stream struct{ ch <-chan *message.Message }

// Next returns the next message as an event. A message that cannot be read back is an error: the
// runner stops rather than skip it.
func (s *stream) Next(ctx context.Context) (runner.Delivery, error) {
	select {
	case msg, ok := <-s.ch:
		if !ok {
			return runner.Delivery{}, eventstore.ErrClosed
		}
		e, err := EventOf(msg)
		if err != nil {
			return runner.Delivery{}, err
		}
		return runner.Delivery{Event: e, Ack: func() { msg.Ack() }}, nil
	case <-ctx.Done():
		return runner.Delivery{}, ctx.Err()
	}
}

// Close does nothing: the Follow ends with the context given to Source.Follow.
func (s *stream) Close() error { return nil }

// EventOf reads back the event a message was made from by Subscribe (a domain event) or Follow:
// the UUID is the event ID, the payload the data, the metadata the envelope.
func EventOf(msg *message.Message) (eventstore.Event, error) {
	md := msg.Metadata
	e := eventstore.Event{
		Stream: md.Get(MetadataStream), Type: md.Get(MetadataEventType), Data: msg.Payload,
		Metadata: eventstore.Metadata{Tenant: md.Get(MetadataTenant), Actor: md.Get(MetadataActor),
			CorrelationID: md.Get(MetadataCorrelationID), CausationID: md.Get(MetadataCausationID), CommandID: md.Get(MetadataCommandID)},
	}
	fail := func(key string, err error) (eventstore.Event, error) {
		return eventstore.Event{}, fmt.Errorf("messaging: message %s is no recorded event: metadata %q: %w", msg.UUID, key, err)
	}
	var err error
	if e.ID, err = uuid.Parse(msg.UUID); err != nil {
		return fail("uuid", err)
	}
	if e.Position, err = eventstore.ParsePosition(md.Get(MetadataPosition)); err != nil {
		return fail(MetadataPosition, err)
	}
	if e.Version, err = strconv.ParseInt(md.Get(MetadataStreamVersion), 10, 64); err != nil {
		return fail(MetadataStreamVersion, err)
	}
	if e.SchemaVersion, err = strconv.Atoi(md.Get(MetadataSchemaVersion)); err != nil {
		return fail(MetadataSchemaVersion, err)
	}
	if e.RecordedAt, err = time.Parse(time.RFC3339Nano, md.Get(MetadataRecordedAt)); err != nil {
		return fail(MetadataRecordedAt, err)
	}
	h, err := hex.DecodeString(md.Get(MetadataHash))
	if err != nil || len(h) != len(e.Hash) {
		return fail(MetadataHash, fmt.Errorf("not %d hexadecimal bytes", len(e.Hash)))
	}
	copy(e.Hash[:], h)
	if e.Stream == "" || e.Type == "" {
		return fail(MetadataStream+", "+MetadataEventType, errors.New("empty"))
	}
	return e, nil
}
