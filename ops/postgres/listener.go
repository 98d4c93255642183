package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenerConfig configures a Listener.
type ListenerConfig struct {
	// URL is the PostgreSQL connection string of the store's database. Required. It may differ from
	// the Store's URL: LISTEN needs a session of its own, which a pooler in transaction mode
	// (PgBouncer) cannot give, so point it at the server itself then.
	URL string
	// Schema is the store's schema, whose channel the Listener listens on. Default "civicflow".
	Schema string
	// Retry is how long the Listener waits before it connects again after its connection failed.
	// Default 1s.
	Retry time.Duration
	// Check is how long the session may stay silent before the Listener asks the server whether
	// it is still there, and how long it waits for the answer: a connection that a firewall
	// dropped without telling either side is noticed within twice this. Default 30s.
	Check time.Duration
	// OnError is told why the connection failed, before each retry. Default: nothing.
	OnError func(error)
}

// Listener is the Peers of PostgreSQL LISTEN/NOTIFY: a Store configured with it sends pg_notify
// with the log's new head in each appending transaction (so the notification is delivered exactly
// when the commit is), and its Follow holds one connection that LISTENs on the schema's channel.
// Create it with NewListener and set it as the Store's Config.Peers.
type Listener struct {
	cfg       ListenerConfig
	connected atomic.Bool
}

var _ Peers = (*Listener)(nil)

// NewListener checks cfg and returns the Listener; it connects when the Store follows it.
func NewListener(cfg ListenerConfig) (*Listener, error) {
	if cfg.Schema == "" {
		cfg.Schema = "civicflow"
	}
	if cfg.Retry == 0 {
		cfg.Retry = time.Second
	}
	if cfg.Check == 0 {
		cfg.Check = 30 * time.Second
	}
	var errs []error
	if cfg.URL == "" {
		errs = append(errs, errors.New("postgres: ListenerConfig.URL: is empty"))
	} else if _, err := pgx.ParseConfig(cfg.URL); err != nil {
		errs = append(errs, fmt.Errorf("postgres: ListenerConfig.URL: %w", err))
	}
	if !schemaName.MatchString(cfg.Schema) {
		errs = append(errs, fmt.Errorf("postgres: ListenerConfig.Schema: %q is not a lower-case SQL identifier", cfg.Schema))
	}
	if cfg.Retry < 0 {
		errs = append(errs, fmt.Errorf("postgres: ListenerConfig.Retry: %s is negative", cfg.Retry))
	}
	if cfg.Check < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("postgres: ListenerConfig.Check: %s is less than 10ms", cfg.Check))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Listener{cfg: cfg}, nil
}

// Connected reports whether the Listener's session is listening.
func (l *Listener) Connected() bool { return l.connected.Load() }

// Announce does nothing: the Store's appending transaction itself notifies.
func (l *Listener) Announce(uint64) {}

func (l *Listener) channel(schema string) string { return notifyChannel(schema) }

// Follow listens until ctx ends, connecting again after Retry whenever the connection fails;
// see Peers.
func (l *Listener) Follow(ctx context.Context, wake func(head uint64)) error {
	for {
		err := l.listen(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		if l.cfg.OnError != nil {
			l.cfg.OnError(fmt.Errorf("postgres: LISTEN on %s: %w (polling until it is back)", notifyChannel(l.cfg.Schema), err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.cfg.Retry):
		}
	}
}

// listen connects, listens and delivers notifications until the connection fails or ctx ends.
func (l *Listener) listen(ctx context.Context, wake func(head uint64)) error {
	cc, err := pgx.ParseConfig(l.cfg.URL)
	if err != nil {
		return err
	}
	cc.RuntimeParams["application_name"] = "civicflow_listen"
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{notifyChannel(l.cfg.Schema)}.Sanitize()); err != nil {
		return err
	}
	l.connected.Store(true)
	defer l.connected.Store(false)
	wake(0) // commits made while not listening are read now, not at the next poll
	for {
		wctx, cancel := context.WithTimeout(ctx, l.cfg.Check)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(wctx.Err(), context.DeadlineExceeded) {
			err = l.check(ctx, conn) // silent for Check: is the server still there?
			if err == nil {
				continue
			}
		}
		if err != nil {
			return err
		}
		head, err := strconv.ParseUint(n.Payload, 10, 64)
		if err != nil {
			head = 0 // not a head: look anyway
		}
		wake(head)
	}
}

// check asks the server for an answer within Check.
func (l *Listener) check(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Check)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("no answer within %s: %w", l.cfg.Check, err)
	}
	return nil
}
