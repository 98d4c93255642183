package postgres

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Config configures a Store. The zero value of every field but URL means its default.
type Config struct {
	// URL is the PostgreSQL connection string (postgres://user@host:port/db?…). Required.
	URL string
	// Schema is the PostgreSQL schema that holds civicflow's tables; created when missing.
	// Default "civicflow".
	Schema string
	// MaxBatch is the most appends committed in one transaction. Default 256.
	MaxBatch int
	// CohortWait is the longest the writer holds a batch for the appends it expects next: those
	// that were waiting when the previous batch committed and those of the previous batch's
	// appenders, who were just answered. Appending them in one transaction costs one commit where
	// two cohorts of appenders would otherwise commit by turns, at the price of up to CohortWait
	// more latency for the appends already waiting when an expected one does not come. Default 0:
	// half the previous transaction's duration, at most 1ms; negative: the writer never waits.
	CohortWait time.Duration
	// MaxEventBytes limits one event's data plus metadata. Default 1 MiB.
	MaxEventBytes int
	// Clock gives the recorded-at time of events. Default time.Now. Recorded-at never goes back
	// in the log: if the clock does, the previous event's time is used.
	Clock func() time.Time
	// PollInterval is how often idle subscribers look for events committed by other instances;
	// events committed by this Store, and those Peers announces, wake them at once. Default 250ms.
	PollInterval time.Duration
	// Peers tells the Store of other instances' commits and them of its own: a Listener
	// (LISTEN/NOTIFY) or ops/natsbus (NATS JetStream). Default nil: other instances' commits are
	// seen by polling only. The Store follows it from New to Close.
	Peers Peers
	// MaxConns is the most pooled connections. Default 8.
	MaxConns int
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (c Config) withDefaults() Config {
	if c.Schema == "" {
		c.Schema = "civicflow"
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 256
	}
	if c.MaxEventBytes == 0 {
		c.MaxEventBytes = eventstore.DefaultMaxEventBytes
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.PollInterval == 0 {
		c.PollInterval = 250 * time.Millisecond
	}
	if c.MaxConns == 0 {
		c.MaxConns = 8
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("postgres: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.URL == "" {
		bad("URL", "is empty")
	}
	if !schemaName.MatchString(c.Schema) {
		bad("Schema", "%q is not a lower-case SQL identifier (letters, digits, _; at most 63)", c.Schema)
	}
	if c.MaxBatch < 1 || c.MaxBatch > 10000 {
		bad("MaxBatch", "%d is not between 1 and 10000", c.MaxBatch)
	}
	if c.MaxEventBytes < 1 || c.MaxEventBytes > 64<<20 {
		bad("MaxEventBytes", "%d is not between 1 and 64 MiB", c.MaxEventBytes)
	}
	if c.PollInterval < 0 {
		bad("PollInterval", "%s is negative", c.PollInterval)
	}
	if c.MaxConns < 2 {
		bad("MaxConns", "%d is less than 2 (the writer keeps one)", c.MaxConns)
	}
	return errors.Join(errs...)
}
