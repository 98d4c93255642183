package messaging

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/domain/eventstore"
)

// ErrInvalidTopic means a topic name cannot be used: it is empty, too long, not UTF-8, contains a
// control character or starts with "$".
var ErrInvalidTopic = errors.New("messaging: invalid topic")

// ErrClosed means the Publisher or Subscriber was closed.
var ErrClosed = errors.New("messaging: closed")

// MaxTopicLength is the longest topic, in bytes: a message's stream is the topic, "-" and a UUID,
// and must fit eventstore.MaxStreamLength.
const MaxTopicLength = eventstore.MaxStreamLength - len("-00000000-0000-0000-0000-000000000000")

// ValidateTopic checks a topic: not empty, at most MaxTopicLength bytes, UTF-8 without control
// characters, not starting with "$" (reserved, like stream names). The error wraps
// ErrInvalidTopic and names the topic.
func ValidateTopic(topic string) error {
	problem := ""
	switch {
	case topic == "":
		problem = "is empty (to read a category of streams, use the category as the topic)"
	case len(topic) > MaxTopicLength:
		problem = fmt.Sprintf("is %d bytes long, more than the limit of %d", len(topic), MaxTopicLength)
	case !utf8.ValidString(topic):
		problem = "is not valid UTF-8"
	case hasControl(topic):
		problem = "contains a control character"
	case topic[0] == '$':
		problem = `starts with "$", which is reserved`
	default:
		return nil
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidTopic, topic, problem)
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// PublisherConfig configures a Publisher.
type PublisherConfig struct {
	// Logger receives the publisher's logs. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c PublisherConfig) withDefaults() PublisherConfig {
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined. A PublisherConfig
// has none yet; the method keeps the components' shape.
func (c PublisherConfig) Validate() error { return nil }

// Publisher is a Watermill Publisher that appends every message as one event (type
// MessageEventType) to the store: the message is committed when Publish returns, in the same log
// as the domain events, so there is no second system to write to. It is safe for concurrent use.
//
// A message published to topic T goes to the stream "T-<id>", where id is derived from T and the
// message's UUID (see the package documentation). Publishing a message whose UUID was published to
// T before is a no-op that succeeds, even when payload or metadata differ: the first one stays.
// That makes retries safe, and makes middleware.PoisonQueue publish a message that fails again
// after a redelivery only once.
type Publisher struct {
	store  eventstore.Store
	logger watermill.LoggerAdapter

	mu     sync.RWMutex // Publish holds it shared, Close exclusively
	closed bool
}

var _ message.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher appending to store. The store stays the caller's: closing the
// Publisher does not close it.
func NewPublisher(store eventstore.Store, cfg PublisherConfig) (*Publisher, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("messaging: NewPublisher: store is nil")
	}
	return &Publisher{store: store, logger: cfg.Logger}, nil
}

// Publish appends msgs to topic in order, each in an append of its own, and returns when all are
// committed. It is not atomic: when it fails, the messages before the one named in the error are
// published and the rest are not; publishing all of them again is safe.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	if err := ValidateTopic(topic); err != nil {
		return err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	for i, msg := range msgs {
		if err := p.publish(topic, msg); err != nil {
			return fmt.Errorf("messaging: publish message %q (%d of %d) to topic %q: %w", msg.UUID, i+1, len(msgs), topic, err)
		}
	}
	return nil
}

func (p *Publisher) publish(topic string, msg *message.Message) error {
	e, err := encodeMessage(topic, msg)
	if err != nil {
		return err
	}
	stream := messageStream(topic, e.ID)
	fields := watermill.LogFields{"message_uuid": msg.UUID, "topic": topic, "stream": stream}
	res, err := p.store.Append(context.Background(), stream, eventstore.NoStream, e)
	switch {
	case errors.Is(err, eventstore.ErrDuplicateEventID):
		p.logger.Info("Message UUID already published to this topic with other content; the first one stays", fields.Add(watermill.LogFields{"reason": err.Error()}))
		return nil
	case err != nil:
		return err
	case res.Duplicate:
		p.logger.Debug("Message already published", fields)
	default:
		p.logger.Trace("Message published", fields.Add(watermill.LogFields{"position": res.Position.String()}))
	}
	return nil
}

// Close makes later Publish calls fail with ErrClosed; it waits for those in progress. It does not
// close the store. It is safe to call more than once.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}
