package sqlite

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Config configures a Store. The zero value of every field but Path means its default.
type Config struct {
	// Path is the database file. Required; its directory is created when missing.
	Path string
	// Synchronous is SQLite's synchronous mode: "full" (default), "extra", "normal" or "off".
	// With WAL, "normal" and "off" may lose acknowledged appends on power loss; they are refused
	// unless AllowDataLoss is true.
	Synchronous string
	// AllowDataLoss permits a synchronous mode that may lose acknowledged appends. Default false.
	AllowDataLoss bool
	// BusyTimeout is how long a connection waits for a lock held by another process. Default 5s;
	// negative: do not wait.
	BusyTimeout time.Duration
	// MaxBatch is the most appends committed in one transaction. Default 256.
	MaxBatch int
	// MaxEventBytes limits one event's data plus metadata. Default 1 MiB.
	MaxEventBytes int
	// Clock gives the recorded-at time of events; it is read by each Append before the append is
	// queued, so concurrently. Default time.Now. Recorded-at never goes back in log order: an
	// event gets the later of its append's time and the previous event's.
	Clock func() time.Time
	// PollInterval is how often idle subscribers look for events committed by other processes;
	// events committed by this Store wake them at once. Default 250ms.
	PollInterval time.Duration
	// ReadConns is the most concurrent read connections. Default 4.
	ReadConns int
	// MaxSize caps the database's size in bytes (rounded down to whole 4 KiB pages; SQLite's
	// max_page_count on every write connection), leaving room on the disk for the WAL, backups
	// and the system: a write that would grow the database beyond it fails like one on a full
	// disk, with eventstore.ErrStorageFull, and writes nothing. Default 0: no cap but the disk.
	MaxSize int64
	// ReadOnly opens an existing database without writing to it (for verification and audit):
	// no migrations, and Append fails.
	ReadOnly bool
	// ServerLock takes the file's server lock before anything is opened: one store with
	// ServerLock per file at a time (a second fails with ErrServed and changes nothing), so a
	// server knows that no other server appends to its streams. Stores without it (CLI commands)
	// neither take nor heed it. Not with ReadOnly.
	ServerLock bool
}

func (c Config) withDefaults() Config {
	if c.Synchronous == "" {
		c.Synchronous = "full"
	}
	c.Synchronous = strings.ToLower(c.Synchronous)
	if c.BusyTimeout == 0 {
		c.BusyTimeout = 5 * time.Second
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
	if c.ReadConns == 0 {
		c.ReadConns = 4
	}
	return c
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("sqlite: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Path == "" {
		bad("Path", "is empty")
	}
	if strings.ContainsAny(c.Path, "?#") {
		bad("Path", "%q contains '?' or '#', which SQLite file names cannot carry here", c.Path)
	}
	switch c.Synchronous {
	case "full", "extra":
	case "normal", "off":
		if !c.AllowDataLoss && !c.ReadOnly {
			bad("Synchronous", "%q may lose acknowledged appends on power loss; set AllowDataLoss to accept that", c.Synchronous)
		}
	default:
		bad("Synchronous", "%q is not one of full, extra, normal, off", c.Synchronous)
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
	if c.MaxSize < 0 || (c.MaxSize > 0 && c.MaxSize < 64*pageSize) {
		bad("MaxSize", "%d is neither 0 (no cap) nor at least 64 pages of %d bytes", c.MaxSize, pageSize)
	}
	if c.ServerLock && c.ReadOnly {
		bad("ServerLock", "is for a store that writes, not with ReadOnly")
	}
	if c.ReadConns < 1 {
		bad("ReadConns", "%d is less than 1", c.ReadConns)
	}
	return errors.Join(errs...)
}
