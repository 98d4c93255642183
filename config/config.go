package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config is the complete configuration of civicflow. Every field has a
// default (see [Default]); [Load] fills it from a file, the environment and
// command-line flags.
type Config struct {
	// Store configures the event store.
	Store Store `mapstructure:"store"`
	// Log configures the process log.
	Log Log `mapstructure:"log"`
}

// Store configures the event store.
type Store struct {
	// Driver names the storage technology. Default "sqlite", for now the
	// only one.
	Driver string `mapstructure:"driver"`
	// MaxEventBytes is the largest encoded event the store accepts, in
	// bytes. Default 1048576 (1 MiB); must be > 0 and <= 64 MiB.
	MaxEventBytes int `mapstructure:"max_event_bytes"`
	// SQLite configures the SQLite driver.
	SQLite SQLite `mapstructure:"sqlite"`
}

// SQLite configures the SQLite event store.
type SQLite struct {
	// Path is the database file. Default "./data/civicflow.db"; must not be
	// empty.
	Path string `mapstructure:"path"`
	// Synchronous is SQLite's synchronous pragma: "full" (default), "extra",
	// "normal" or "off". "normal" and "off" may lose acknowledged writes on
	// power loss and therefore require AllowDataLoss.
	Synchronous string `mapstructure:"synchronous"`
	// AllowDataLoss acknowledges that Synchronous "normal" or "off" may lose
	// acknowledged writes on power loss. Default false; must be true when
	// Synchronous is "normal" or "off".
	AllowDataLoss bool `mapstructure:"allow_data_loss"`
	// BusyTimeout is how long a connection waits for a lock held by another
	// connection before it fails. Default 5s; must be >= 0.
	BusyTimeout time.Duration `mapstructure:"busy_timeout"`
	// MaxBatch is the group-commit limit: the most appends written in one
	// transaction. Default 256; must be between 1 and 10000.
	MaxBatch int `mapstructure:"max_batch"`
}

// Log configures the process log.
type Log struct {
	// Level is the lowest level logged: "info" (default), "debug", "warn"
	// or "error".
	Level string `mapstructure:"level"`
	// Format is the log line format: "text" (default) or "json".
	Format string `mapstructure:"format"`
}

// Limits checked by [Config.Validate].
const (
	maxEventBytesLimit = 64 << 20
	maxBatchLimit      = 10000
)

// Allowed values of the enumerated keys, in the order they are listed in
// error messages.
var (
	drivers    = []string{"sqlite"}
	syncModes  = []string{"full", "extra", "normal", "off"}
	lossySyncs = []string{"normal", "off"}
	logLevels  = []string{"info", "debug", "warn", "error"}
	logFormats = []string{"text", "json"}
)

// Default returns the configuration used when nothing else is set.
func Default() Config {
	return Config{
		Store: Store{
			Driver:        "sqlite",
			MaxEventBytes: 1 << 20,
			SQLite: SQLite{
				Path:          "./data/civicflow.db",
				Synchronous:   "full",
				AllowDataLoss: false,
				BusyTimeout:   5 * time.Second,
				MaxBatch:      256,
			},
		},
		Log: Log{
			Level:  "info",
			Format: "text",
		},
	}
}

// Validate checks every field and reports all problems at once, joined with
// [errors.Join]. Each problem is a [*KeyError] naming the full dotted key,
// e.g. `store.sqlite.synchronous: "fast" is not one of full, extra, normal, off`.
func (c Config) Validate() error {
	var errs []error
	check := func(key string, err error) {
		if err != nil {
			errs = append(errs, &KeyError{Key: key, Err: err})
		}
	}
	s, sq := c.Store, c.Store.SQLite
	check("store.driver", oneOf(s.Driver, drivers))
	check("store.max_event_bytes", between(s.MaxEventBytes, 1, maxEventBytesLimit))
	if strings.TrimSpace(sq.Path) == "" {
		check("store.sqlite.path", errors.New("must not be empty"))
	}
	check("store.sqlite.synchronous", oneOf(sq.Synchronous, syncModes))
	if slices.Contains(lossySyncs, sq.Synchronous) && !sq.AllowDataLoss {
		check("store.sqlite.synchronous", fmt.Errorf(
			"%q may lose acknowledged writes on power loss; "+
				"set store.sqlite.allow_data_loss to true to accept that, or use \"full\"",
			sq.Synchronous))
	}
	if sq.BusyTimeout < 0 {
		check("store.sqlite.busy_timeout", fmt.Errorf("must be >= 0, got %s", sq.BusyTimeout))
	}
	check("store.sqlite.max_batch", between(sq.MaxBatch, 1, maxBatchLimit))
	check("log.level", oneOf(c.Log.Level, logLevels))
	check("log.format", oneOf(c.Log.Format, logFormats))
	return errors.Join(errs...)
}

// oneOf reports an error unless v is one of allowed.
func oneOf(v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

// between reports an error unless lo <= v <= hi.
func between(v, lo, hi int) error {
	if v >= lo && v <= hi {
		return nil
	}
	return fmt.Errorf("must be between %d and %d, got %d", lo, hi, v)
}
