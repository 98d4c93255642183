package natsbus

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"

	"github.com/civicflow/civicflow/ops/postgres"
)

// HeadsConfig configures Heads.
type HeadsConfig struct {
	// URL is the NATS server (nats://host:port, or several separated by commas). Required.
	URL string
	// Topic is the subject and the stream the heads are announced on: letters, digits, _ and -.
	// The instances of one store share it and no other store may use it. Default
	// "civicflow_heads".
	Topic string
	// ReconnectWait is how long the client waits between attempts to reconnect after the
	// connection dropped; it tries forever. Default 1s.
	ReconnectWait time.Duration
	// PingInterval is how often the client asks the server whether it is still there: a
	// connection that a firewall dropped without telling either side is noticed after two
	// unanswered pings. Default 20s.
	PingInterval time.Duration
	// OnError is told when the connection drops or an announcement cannot be sent (followers then
	// poll). Default: nothing.
	OnError func(error)
	// Logger receives Watermill's log. Default: none.
	Logger watermill.LoggerAdapter
}

var topicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

func (c HeadsConfig) withDefaults() HeadsConfig {
	if c.Topic == "" {
		c.Topic = "civicflow_heads"
	}
	if c.ReconnectWait == 0 {
		c.ReconnectWait = time.Second
	}
	if c.PingInterval == 0 {
		c.PingInterval = 20 * time.Second
	}
	if c.OnError == nil {
		c.OnError = func(error) {}
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c HeadsConfig) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("natsbus: HeadsConfig.URL: is empty"))
	}
	if !topicName.MatchString(c.Topic) {
		errs = append(errs, fmt.Errorf("natsbus: HeadsConfig.Topic: %q is not 1 to 200 letters, digits, _ or -", c.Topic))
	}
	if c.ReconnectWait < 0 {
		errs = append(errs, fmt.Errorf("natsbus: HeadsConfig.ReconnectWait: %s is negative", c.ReconnectWait))
	}
	if c.PingInterval < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("natsbus: HeadsConfig.PingInterval: %s is less than 10ms", c.PingInterval))
	}
	return errors.Join(errs...)
}

// Heads is the postgres.Peers of NATS JetStream. Create it with NewHeads; close it after the
// Store that follows it.
type Heads struct {
	cfg  HeadsConfig
	conn *nats.Conn
	pub  *wmnats.Publisher
	sub  *wmnats.Subscriber

	latest  atomic.Uint64 // the highest head announced
	kick    chan struct{} // a head waits to be published
	closing chan struct{}
	sent    sync.WaitGroup
	once    sync.Once

	wake atomic.Pointer[func(uint64)] // Follow's, told 0 after a reconnect
}

var _ postgres.Peers = (*Heads)(nil)

// NewHeads connects to the server, creates or updates the topic's stream and starts the
// publisher. An unreachable server or one without JetStream is an error; a connection that drops
// later is reconnected.
func NewHeads(cfg HeadsConfig) (*Heads, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Heads{cfg: cfg, kick: make(chan struct{}, 1), closing: make(chan struct{})}
	conn, err := nats.Connect(cfg.URL, nats.Name("civicflow"), nats.MaxReconnects(-1), nats.ReconnectWait(cfg.ReconnectWait),
		nats.PingInterval(cfg.PingInterval), nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				cfg.OnError(fmt.Errorf("natsbus: connection to %s lost: %w (followers poll until it is back)", cfg.URL, err))
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) {
			if w := h.wake.Load(); w != nil {
				(*w)(0) // heads announced while away are not resent: look now
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect to %s: %w", cfg.URL, err)
	}
	h.conn = conn
	if err := h.setup(); err != nil {
		conn.Close()
		return nil, err
	}
	h.sent.Go(h.publish)
	return h, nil
}

// setup creates or updates the stream and the Watermill publisher and subscriber.
func (h *Heads) setup() error {
	js, err := h.conn.JetStream()
	if err != nil {
		return fmt.Errorf("natsbus: JetStream: %w", err)
	}
	stream := &nats.StreamConfig{Name: h.cfg.Topic, Subjects: []string{h.cfg.Topic}, Storage: nats.MemoryStorage,
		MaxAge: time.Minute, MaxMsgs: 10000, Discard: nats.DiscardOld,
		Description: "civicflow: the log's head after each commit, so that other instances wake at once"}
	if err := ensureStream(js, stream); err != nil {
		return err
	}
	h.pub, err = wmnats.NewPublisherWithNatsConn(h.conn, wmnats.PublisherPublishConfig{
		Marshaler: &wmnats.NATSMarshaler{}, SubjectCalculator: wmnats.DefaultSubjectCalculator}, h.cfg.Logger)
	if err != nil {
		return fmt.Errorf("natsbus: publisher: %w", err)
	}
	// An ordered consumer per instance: every instance gets every head, from the newest on; the
	// client recreates it from where it was when the connection or the consumer was lost. Its
	// messages need no acknowledgement (AckNone).
	h.sub, err = wmnats.NewSubscriberWithNatsConn(h.conn, wmnats.SubscriberSubscriptionConfig{
		Unmarshaler: &wmnats.NATSMarshaler{}, SubjectCalculator: wmnats.DefaultSubjectCalculator, CloseTimeout: time.Second,
		JetStream: wmnats.JetStreamConfig{AckAsync: true, SubscribeOptions: []nats.SubOpt{nats.OrderedConsumer(), nats.DeliverNew()}},
	}, ackNoneQuiet{h.cfg.Logger})
	if err != nil {
		return fmt.Errorf("natsbus: subscriber: %w", err)
	}
	return nil
}

// Announce publishes head in the background, coalescing heads announced meanwhile; see
// postgres.Peers.
func (h *Heads) Announce(head uint64) {
	for {
		old := h.latest.Load()
		if head <= old || h.latest.CompareAndSwap(old, head) {
			break
		}
	}
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// publish sends the latest head each time one is announced, until Close.
func (h *Heads) publish() {
	for {
		select {
		case <-h.closing:
			return
		case <-h.kick:
		}
		head := h.latest.Load()
		msg := message.NewMessage(watermill.NewUUID(), []byte(strconv.FormatUint(head, 10)))
		if err := h.pub.Publish(h.cfg.Topic, msg); err != nil {
			h.cfg.OnError(fmt.Errorf("natsbus: announce head %d: %w", head, err))
		}
	}
}

// Follow delivers the announced heads to wake until ctx ends or Heads closes; see
// postgres.Peers. When it cannot subscribe (the server is away), it tells OnError and tries again
// every ReconnectWait.
func (h *Heads) Follow(ctx context.Context, wake func(head uint64)) error {
	h.wake.Store(&wake)
	defer h.wake.Store(nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var msgs <-chan *message.Message
	for {
		var err error
		if msgs, err = h.sub.Subscribe(ctx, h.cfg.Topic); err == nil {
			break
		}
		h.cfg.OnError(fmt.Errorf("natsbus: follow %s: %w (polling; trying again in %s)", h.cfg.Topic, err, h.cfg.ReconnectWait))
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return nil
		case <-time.After(h.cfg.ReconnectWait):
		}
	}
	wake(0) // commits made before the consumer existed are read now
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return nil
		case msg, ok := <-msgs:
			if !ok {
				return nil
			}
			head, err := strconv.ParseUint(string(msg.Payload), 10, 64)
			if err != nil {
				head = 0 // not a head: look anyway
			}
			msg.Ack()
			wake(head)
		}
	}
}

// Connected reports whether the connection to the server is up.
func (h *Heads) Connected() bool { return h.conn.IsConnected() }

// Close stops publishing and following and closes the connection.
func (h *Heads) Close() error {
	var err error
	h.once.Do(func() {
		close(h.closing)
		h.sent.Wait()
		err = errors.Join(h.sub.Close(), h.pub.Close())
		h.conn.Close()
	})
	return err
}

// ackNoneQuiet drops the error Watermill logs when it acknowledges a message of an ordered
// consumer, which takes no acknowledgements.
type ackNoneQuiet struct{ watermill.LoggerAdapter }

func (l ackNoneQuiet) Error(msg string, err error, fields watermill.LogFields) {
	if errors.Is(err, nats.ErrCantAckIfConsumerAckNone) {
		return
	}
	l.LoggerAdapter.Error(msg, err, fields)
}

func (l ackNoneQuiet) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return ackNoneQuiet{l.LoggerAdapter.With(fields)}
}

// ensureStream creates the stream, or updates it to cfg when it exists.
func ensureStream(js nats.JetStreamManager, cfg *nats.StreamConfig) error {
	_, err := js.StreamInfo(cfg.Name)
	switch {
	case errors.Is(err, nats.ErrStreamNotFound):
		_, err = js.AddStream(cfg)
	case err == nil:
		_, err = js.UpdateStream(cfg)
	}
	if err != nil {
		return fmt.Errorf("natsbus: stream %s (is JetStream enabled on the server, -js?): %w", cfg.Name, err)
	}
	return nil
}
