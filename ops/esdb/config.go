package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Config configures a Store. The zero value of every field but URL means its default.
type Config struct {
	// URL is the EventStoreDB connection string (esdb://host:2113?tls=false). Required.
	URL string
	// MaxEventBytes limits one event's data plus metadata. Default 1 MiB.
	MaxEventBytes int
	// Clock gives the recorded-at time of events. Default time.Now.
	Clock func() time.Time
	// MaxRetries is how often an append with a version it does not fix (Any, StreamExists)
	// reads the stream's head again after another writer came first. Default 16.
	MaxRetries int
	// FindIndexIDs is how many event IDs Find keeps in memory, of the streams it looked into
	// lately, so that a later Find on a stream reads only its events appended since (about 50
	// bytes each). Default 262144; -1: none (every Find reads its stream backwards).
	FindIndexIDs int
	// Logger receives the client's own messages (discovery attempts, reconnections): its errors
	// as warnings, the rest at debug level. Default nil: none (the errors reach the callers).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxEventBytes == 0 {
		c.MaxEventBytes = eventstore.DefaultMaxEventBytes
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 16
	}
	if c.FindIndexIDs == 0 {
		c.FindIndexIDs = 1 << 18
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("esdb: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.URL == "" {
		bad("URL", "is empty")
	}
	if c.MaxEventBytes < 1 || c.MaxEventBytes > 16<<20 {
		bad("MaxEventBytes", "%d is not between 1 and 16 MiB", c.MaxEventBytes)
	}
	if c.MaxRetries < 1 {
		bad("MaxRetries", "%d is less than 1", c.MaxRetries)
	}
	if c.FindIndexIDs < -1 {
		bad("FindIndexIDs", "%d is less than -1", c.FindIndexIDs)
	}
	return errors.Join(errs...)
}

// clientLogging passes the client's messages to l (nil: none).
func clientLogging(l *slog.Logger) esdb.LoggingFunc {
	if l == nil {
		return esdb.NoopLogging()
	}
	return func(level esdb.LogLevel, format string, args ...any) {
		lv := slog.LevelDebug
		if level == esdb.LogError {
			lv = slog.LevelWarn
		}
		l.Log(context.Background(), lv, "eventstoredb client: "+fmt.Sprintf(format, args...))
	}
}
