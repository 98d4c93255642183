package natsbus

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
)

// OutboxConfig configures an Outbox.
type OutboxConfig struct {
	// URL is the NATS server (nats://host:port, or several separated by commas). Required.
	URL string
	// Stream is the JetStream stream of the outbox, and the first token of its subjects: letters,
	// digits, _ and -. The instances of one store share it and no other store may use it. Default
	// "civicflow_outbox".
	Stream string
	// MaxAge is how long a message that no instance acknowledged is kept. Default 30 days.
	MaxAge time.Duration
	// AckWait is how long an instance may take to handle a message (with its retries) before
	// JetStream gives it to another instance. Default 2m.
	AckWait time.Duration
	// ReconnectWait is how long the client waits between attempts to reconnect; it tries forever.
	// Default 1s.
	ReconnectWait time.Duration
	// Logger receives Watermill's log. Default: none.
	Logger watermill.LoggerAdapter
}

func (c OutboxConfig) withDefaults() OutboxConfig {
	if c.Stream == "" {
		c.Stream = "civicflow_outbox"
	}
	if c.MaxAge == 0 {
		c.MaxAge = 30 * 24 * time.Hour
	}
	if c.AckWait == 0 {
		c.AckWait = 2 * time.Minute
	}
	if c.ReconnectWait == 0 {
		c.ReconnectWait = time.Second
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c OutboxConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("natsbus: OutboxConfig.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.URL == "" {
		bad("URL", "is empty")
	}
	if !topicName.MatchString(c.Stream) {
		bad("Stream", "%q is not 1 to 200 letters, digits, _ or -", c.Stream)
	}
	if c.MaxAge < time.Minute {
		bad("MaxAge", "%s is less than a minute", c.MaxAge)
	}
	if c.AckWait < time.Second {
		bad("AckWait", "%s is less than a second", c.AckWait)
	}
	if c.ReconnectWait < 0 {
		bad("ReconnectWait", "%s is negative", c.ReconnectWait)
	}
	return errors.Join(errs...)
}

// Outbox carries messages that one instance among several must handle — the webhooks and
// e-mail of civicflow's notifications — over a JetStream work queue: one instance publishes each
// message once (Publish; JetStream drops a repeat of a message ID within ten minutes), and every
// instance subscribes to a handler's queue (Subscriber) through one durable consumer per handler
// shared by the instances, so that each message is delivered to one of them and redelivered to
// another when it is not acknowledged within AckWait (the instance died). The stream is kept in
// files; for an acknowledged message to survive the server's power loss, the server needs
// JetStream's sync_interval: always (NATS 2.10 and later).
type Outbox struct {
	cfg  OutboxConfig
	conn *nats.Conn
	pub  *wmnats.Publisher
}

// NewOutbox connects to the server and creates or updates the stream.
func NewOutbox(cfg OutboxConfig) (*Outbox, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conn, err := nats.Connect(cfg.URL, nats.Name("civicflow outbox"), nats.MaxReconnects(-1), nats.ReconnectWait(cfg.ReconnectWait),
		nats.PingInterval(20*time.Second), nats.MaxPingsOutstanding(2)) // a silent connection is noticed within a minute
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect to %s: %w", cfg.URL, err)
	}
	o := &Outbox{cfg: cfg, conn: conn}
	if err := o.setup(); err != nil {
		conn.Close()
		return nil, err
	}
	return o, nil
}

func (o *Outbox) setup() error {
	js, err := o.conn.JetStream()
	if err != nil {
		return fmt.Errorf("natsbus: JetStream: %w", err)
	}
	stream := &nats.StreamConfig{Name: o.cfg.Stream, Subjects: []string{o.cfg.Stream + ".>"}, Storage: nats.FileStorage,
		Retention: nats.WorkQueuePolicy, MaxAge: o.cfg.MaxAge, Duplicates: 10 * time.Minute,
		Description: "civicflow: webhooks and e-mail to deliver, each by one instance"}
	if err := ensureStream(js, stream); err != nil {
		return err
	}
	o.pub, err = wmnats.NewPublisherWithNatsConn(o.conn, wmnats.PublisherPublishConfig{
		Marshaler: &wmnats.NATSMarshaler{}, SubjectCalculator: wmnats.DefaultSubjectCalculator,
		JetStream: wmnats.JetStreamConfig{TrackMsgId: true}}, o.cfg.Logger)
	if err != nil {
		return fmt.Errorf("natsbus: publisher: %w", err)
	}
	return nil
}

// Subject is the subject of handler's queue.
func (o *Outbox) Subject(handler string) string { return o.cfg.Stream + "." + handler }

// Publish puts msgs on handler's queue and returns when JetStream has stored them. A message whose
// UUID was published within the last ten minutes is stored once.
func (o *Outbox) Publish(handler string, msgs ...*message.Message) error {
	if !topicName.MatchString(handler) {
		return fmt.Errorf("natsbus: handler %q is not letters, digits, _ or -", handler)
	}
	return o.pub.Publish(o.Subject(handler), msgs...)
}

// Subscriber returns a Watermill subscriber of handler's queue, to be subscribed with the topic
// Subject(handler): the instances that subscribe share one durable consumer (named handler) as a
// queue group, so that each message reaches one of them; a message not acknowledged within
// AckWait goes to another. The consumer is created here, not by the subscription, so that an
// instance that stops does not delete it under the others. Close it when done (the connection
// stays).
func (o *Outbox) Subscriber(handler string) (message.Subscriber, error) {
	if !topicName.MatchString(handler) {
		return nil, fmt.Errorf("natsbus: handler %q is not letters, digits, _ or -", handler)
	}
	if err := o.ensureConsumer(handler); err != nil {
		return nil, err
	}
	sub, err := wmnats.NewSubscriberWithNatsConn(o.conn, wmnats.SubscriberSubscriptionConfig{
		Unmarshaler: &wmnats.NATSMarshaler{}, SubjectCalculator: wmnats.DefaultSubjectCalculator,
		QueueGroupPrefix: handler, AckWaitTimeout: o.cfg.AckWait, CloseTimeout: 5 * time.Second,
		JetStream: wmnats.JetStreamConfig{
			DurablePrefix:    handler,
			SubscribeOptions: []nats.SubOpt{nats.Bind(o.cfg.Stream, handler), nats.ManualAck()},
		},
	}, o.cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("natsbus: subscriber %s: %w", handler, err)
	}
	return keepConn{sub}, nil
}

// ensureConsumer creates or updates handler's durable push consumer: its queue group delivers
// each message to one member.
func (o *Outbox) ensureConsumer(handler string) error {
	js, err := o.conn.JetStream()
	if err != nil {
		return fmt.Errorf("natsbus: JetStream: %w", err)
	}
	cc := &nats.ConsumerConfig{Durable: handler, DeliverGroup: handler,
		DeliverSubject: "civicflow_deliver." + o.cfg.Stream + "." + handler, FilterSubject: o.Subject(handler),
		AckPolicy: nats.AckExplicitPolicy, AckWait: o.cfg.AckWait, DeliverPolicy: nats.DeliverAllPolicy, MaxAckPending: 256}
	if _, err := js.ConsumerInfo(o.cfg.Stream, handler); errors.Is(err, nats.ErrConsumerNotFound) {
		_, err = js.AddConsumer(o.cfg.Stream, cc)
		if err != nil && !errors.Is(err, nats.ErrConsumerNameAlreadyInUse) { // another instance was first
			return fmt.Errorf("natsbus: consumer %s: %w", handler, err)
		}
	} else if err != nil {
		return fmt.Errorf("natsbus: consumer %s: %w", handler, err)
	} else if _, err := js.UpdateConsumer(o.cfg.Stream, cc); err != nil {
		return fmt.Errorf("natsbus: update consumer %s: %w", handler, err)
	}
	return nil
}

// Pending returns how many messages of handler's queue wait for an instance or for its
// acknowledgement (0 before the handler's consumer exists).
func (o *Outbox) Pending(handler string) (int, error) {
	js, err := o.conn.JetStream(nats.MaxWait(2 * time.Second))
	if err != nil {
		return 0, fmt.Errorf("natsbus: JetStream: %w", err)
	}
	info, err := js.ConsumerInfo(o.cfg.Stream, handler)
	if errors.Is(err, nats.ErrConsumerNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("natsbus: consumer %s: %w", handler, err)
	}
	return int(info.NumPending) + info.NumAckPending, nil
}

// keepConn is a subscriber whose Close leaves the Outbox's connection open (Watermill's Close
// would drain it): its subscriptions end with the context they were made with.
type keepConn struct{ *wmnats.Subscriber }

// Close does nothing; see keepConn.
func (k keepConn) Close() error { return nil }

// Close closes the connection (and with it every subscriber).
func (o *Outbox) Close() error {
	err := o.pub.Close()
	o.conn.Close()
	return err
}
