package messaging

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// Defaults of RouterConfig.
const (
	DefaultPoisonTopic     = "poison"
	DefaultMaxRetries      = 3
	DefaultInitialInterval = 50 * time.Millisecond
	DefaultMaxInterval     = 5 * time.Second
)

// RouterConfig configures the Router that NewRouter builds.
type RouterConfig struct {
	// PoisonPublisher publishes the messages that still fail after every retry. Required; usually a
	// Publisher on the same store, so that a poisoned message is committed before the original is
	// acknowledged.
	PoisonPublisher message.Publisher
	// PoisonTopic is the topic poisoned messages go to, with the reason in their metadata
	// (middleware.ReasonForPoisonedKey and the others). Default "poison".
	PoisonTopic string
	// MaxRetries is how often a failing handler is retried before its message is poisoned. Default
	// 3; negative: no retries.
	MaxRetries int
	// InitialInterval is the wait before the first retry; each further wait doubles, up to
	// MaxInterval. Default 50ms.
	InitialInterval time.Duration
	// MaxInterval is the longest wait between retries. Default 5s.
	MaxInterval time.Duration
	// CloseTimeout is how long Close waits for handlers to finish. Default Watermill's (30s).
	CloseTimeout time.Duration
	// Logger receives the router's and the retries' logs. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c RouterConfig) withDefaults() RouterConfig {
	if c.PoisonTopic == "" {
		c.PoisonTopic = DefaultPoisonTopic
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.InitialInterval == 0 {
		c.InitialInterval = DefaultInitialInterval
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = DefaultMaxInterval
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c RouterConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("messaging: RouterConfig.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.PoisonPublisher == nil {
		bad("PoisonPublisher", "is nil")
	}
	if err := ValidateTopic(c.PoisonTopic); err != nil {
		bad("PoisonTopic", "%v", err)
	}
	if c.InitialInterval < 0 {
		bad("InitialInterval", "%s is negative", c.InitialInterval)
	}
	if c.MaxInterval < c.InitialInterval {
		bad("MaxInterval", "%s is less than InitialInterval %s", c.MaxInterval, c.InitialInterval)
	}
	if c.CloseTimeout < 0 {
		bad("CloseTimeout", "%s is negative", c.CloseTimeout)
	}
	return errors.Join(errs...)
}

// NewRouter returns a Watermill Router with civicflow's middleware, outermost first:
//
//  1. middleware.CorrelationID: messages a handler produces carry the correlation ID of the
//     message it handled.
//  2. middleware.PoisonQueue: a message whose handling still fails is published to PoisonTopic
//     and acknowledged, so the subscription moves on.
//  3. middleware.Retry: a failing handler is retried MaxRetries times with exponential backoff.
//  4. middleware.Recoverer: a panic in the handler becomes an error, and is retried and poisoned
//     like one.
//
// The order of PoisonQueue and Retry decides whether retries happen at all (watermill#645): added
// the other way round, PoisonQueue sits inside Retry, turns the first error into a poisoned message
// and a success, and Retry never runs. Add handlers with the router's AddHandler or
// AddConsumerHandler; more middleware added later runs inside these.
func NewRouter(cfg RouterConfig) (*message.Router, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("messaging: new router: %w", err)
	}
	poison, err := middleware.PoisonQueue(cfg.PoisonPublisher, cfg.PoisonTopic)
	if err != nil {
		return nil, fmt.Errorf("messaging: poison queue: %w", err)
	}
	router.AddMiddleware(
		middleware.CorrelationID,
		poison,
		middleware.Retry{
			MaxRetries:          cfg.MaxRetries,
			InitialInterval:     cfg.InitialInterval,
			MaxInterval:         cfg.MaxInterval,
			Multiplier:          2,
			RandomizationFactor: 0.2,
			ResetContextOnRetry: true,
			Logger:              cfg.Logger,
		}.Middleware,
		middleware.Recoverer,
	)
	return router, nil
}
