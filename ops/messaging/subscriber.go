package messaging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/domain/eventstore"
)

// CheckpointStore keeps, per name, the position in the global log up to which a consumer has
// processed it. ops/sqlite's Checkpoints is one.
type CheckpointStore interface {
	// Load returns the position saved under name, or eventstore.Start when none is.
	Load(ctx context.Context, name string) (eventstore.Position, error)
	// Save stores pos under name and returns when it is durable. It must never move a checkpoint
	// back: saving an earlier position than the one saved fails and changes nothing.
	Save(ctx context.Context, name string, pos eventstore.Position) error
}

// Defaults of SubscriberConfig.
const (
	DefaultNackResendDelay = 100 * time.Millisecond
	DefaultRetryDelay      = time.Second
	DefaultCloseWait       = time.Second
)

// checkpointSaveTimeout bounds a checkpoint save, which runs even while the subscription ends so
// that an acknowledged message is not delivered again.
const checkpointSaveTimeout = 10 * time.Second

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	// ConsumerGroup names the reader whose progress is kept: a subscription of the group to a topic
	// resumes after the last message of that topic the group acknowledged, in this process or an
	// earlier one. The checkpoint is named ConsumerGroup + "/" + topic. Name the group after the
	// handler and never rename it: a new name starts from the beginning of the log again.
	// Empty (default): nothing is kept, and every subscription reads its topic from the beginning
	// (for read models rebuilt in memory, tools and tests). Must not contain "/" or control characters.
	ConsumerGroup string
	// Checkpoints keeps the consumer groups' positions, e.g. (*sqlite.Store).Checkpoints(). Required
	// with a ConsumerGroup; must be nil without one.
	Checkpoints CheckpointStore
	// After is where every subscription starts without a ConsumerGroup: after this position (a
	// read model restored from a snapshot of its own goes on from there). Default Start, the
	// beginning of the log; must be Start with a ConsumerGroup, which keeps its own position.
	After eventstore.Position
	// NackResendDelay is how long a nacked message waits before it is delivered again. Default
	// 100ms; must not be negative.
	NackResendDelay time.Duration
	// RetryDelay is how long a subscription waits before it reads again after the store failed.
	// Default 1s; must not be negative.
	RetryDelay time.Duration
	// CloseWait is how long the end of a consumer group's subscription (Close, or its context
	// ending) waits for the message being handled: its context is canceled at once, and when the
	// handler acknowledges it within CloseWait the checkpoint is saved, so that a clean restart
	// delivers nothing twice. Without a group there is nothing to save and no wait. Default 1s;
	// negative: do not wait.
	CloseWait time.Duration
	// Logger receives the subscriber's logs. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c SubscriberConfig) withDefaults() SubscriberConfig {
	if c.NackResendDelay == 0 {
		c.NackResendDelay = DefaultNackResendDelay
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.CloseWait == 0 {
		c.CloseWait = DefaultCloseWait
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c SubscriberConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("messaging: SubscriberConfig.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	switch {
	case c.ConsumerGroup != "" && c.Checkpoints == nil:
		bad("Checkpoints", "is nil, but consumer group %q needs somewhere to keep its position", c.ConsumerGroup)
	case c.ConsumerGroup == "" && c.Checkpoints != nil:
		bad("Checkpoints", "is set without a ConsumerGroup; without a group nothing is checkpointed")
	case c.ConsumerGroup != "" && !c.After.IsZero():
		bad("After", "is %s, but consumer group %q starts after its own checkpoint", c.After, c.ConsumerGroup)
	}
	switch {
	case !utf8.ValidString(c.ConsumerGroup):
		bad("ConsumerGroup", "%q is not valid UTF-8", c.ConsumerGroup)
	case hasControl(c.ConsumerGroup):
		bad("ConsumerGroup", "%q contains a control character", c.ConsumerGroup)
	case strings.Contains(c.ConsumerGroup, "/"):
		bad("ConsumerGroup", "%q contains \"/\", which separates group and topic in checkpoint names", c.ConsumerGroup)
	}
	if c.NackResendDelay < 0 {
		bad("NackResendDelay", "%s is negative", c.NackResendDelay)
	}
	if c.RetryDelay < 0 {
		bad("RetryDelay", "%s is negative", c.RetryDelay)
	}
	return errors.Join(errs...)
}

// Subscriber is a Watermill Subscriber over the store's global log: a subscription to a topic is
// a catch-up subscription (eventstore.Store.Subscribe) to the streams "topic-…", first the history,
// then new events as they are committed. It is safe for concurrent use; each Subscribe call gets a
// subscription of its own.
//
// Delivery is one message at a time, in global order: the next message comes only after the
// previous one was acknowledged. On Ack the consumer group's checkpoint is saved before the next
// message is delivered; on Nack the same message comes again after NackResendDelay. Delivery is
// at least once: a crash between a handler's work and the checkpoint delivers the message again,
// so handlers must be idempotent. A consumer group is one reader, not a set of competing
// consumers: two subscriptions of one group to one topic both deliver every message, and the
// checkpoint keeps the furthest position either has reached.
type Subscriber struct {
	store  eventstore.Store
	cfg    SubscriberConfig
	logger watermill.LoggerAdapter

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	subs   sync.WaitGroup
}

var _ message.Subscriber = (*Subscriber)(nil)

// NewSubscriber returns a Subscriber reading store. The store stays the caller's: closing the
// Subscriber does not close it.
func NewSubscriber(store eventstore.Store, cfg SubscriberConfig) (*Subscriber, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("messaging: NewSubscriber: store is nil")
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := cfg.Logger
	if cfg.ConsumerGroup != "" {
		logger = logger.With(watermill.LogFields{"consumer_group": cfg.ConsumerGroup})
	}
	return &Subscriber{store: store, cfg: cfg, logger: logger, ctx: ctx, cancel: cancel}, nil
}

// Subscribe returns the messages of topic, starting after the consumer group's checkpoint (or at
// the beginning without a group). The channel is closed when ctx ends, the Subscriber is closed or
// the store is closed. A topic is a category of streams: topic "process" delivers the events of
// every stream "process-…" — messages published to "process" and the domain events of the
// process streams alike. A MessageEventType event is delivered only under the topic it was
// published to, so topics "a" and "a-b" stay apart.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := ValidateTopic(topic); err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	r, err := s.newReader(ctx, topic)
	if err != nil {
		s.subs.Done()
		return nil, err
	}
	go func() {
		defer s.subs.Done()
		r.run()
	}()
	return r.out, nil
}

// enter counts a new subscription, unless the Subscriber is closed; the subscription calls
// s.subs.Done when it ends.
func (s *Subscriber) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.subs.Add(1)
	return nil
}

// Close ends every subscription, closes their channels and waits until they have stopped. The
// context of a message being handled is canceled; with a consumer group, if its handler
// acknowledges it within CloseWait anyway, its checkpoint is saved first. It is safe to call more
// than once.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.subs.Wait()
	return nil
}
