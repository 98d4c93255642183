// Package engine handles the commands of civicflow: it loads a process from its events, lets the
// aggregate decide, and appends what it recorded with the version it loaded (optimistic
// concurrency), retrying on a conflict when the caller gave no expected version. It also
// publishes and retires templates and erases personal data.
//
//	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: gates, Clock: time.Now})
//	res, err := eng.Open(ctx, meta, engine.OpenProcess{Template: "beteiligung-standard", Title: "Spielplatz Lindenau"})
//	res, err = eng.Do(ctx, meta, res.Process, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"})
//
// Every command is idempotent by its command ID (Meta.CommandID): the same ID again returns the
// first result and writes nothing.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Vault seals personal data with a key per person and can erase that key.
type Vault interface {
	Seal(ctx context.Context, person, plaintext string) (process.Sealed, error)
	Open(ctx context.Context, s process.Sealed) (string, error)
	Erase(ctx context.Context, person string) error
	// Has reports whether the person has a key (was registered and not erased).
	Has(ctx context.Context, person string) (bool, error)
}

// Gates evaluates and type-checks gate expressions.
type Gates interface {
	process.GateEvaluator
	template.GateChecker
}

// Config configures an Engine.
type Config struct {
	// Store is the event store. Required.
	Store eventstore.Store
	// Vault seals personal data. Required.
	Vault Vault
	// Gates is the gate language. Required.
	Gates Gates
	// Clock gives the time of commands. Required: the composition root passes time.Now, tests a
	// clock of their own.
	Clock func() time.Time
	// Snapshots keeps snapshots of long processes. Optional: without, long processes replay
	// all their events when first loaded.
	Snapshots eventstore.SnapshotStore
	// SnapshotEvery is how many new events make a new snapshot. Default 500.
	SnapshotEvery int64
	// Archive keeps snapshots of past states, so that a state at a past version or instant
	// replays at most ArchiveEvery events. Optional: without, each past state replays the
	// process from its first event.
	Archive eventstore.SnapshotArchive
	// ArchiveEvery is how many versions lie between archived snapshots. Default 250 (see the
	// README: a past state then replays 125 events on average).
	ArchiveEvery int64
	// CacheSize is how many processes stay loaded between commands. Default 10,000.
	CacheSize int
	// ConflictRetries is how often a command without an expected version is decided again after
	// a concurrent write. Default 3.
	ConflictRetries int
	// Calendars gives the public holidays periods count with. Default calendar.Germany (the
	// holidays of Germany and its states).
	Calendars period.Calendars
	// SoleWriter says that this engine alone appends to the store's process streams (serve on a
	// SQLite file whose server lock it holds). A process the engine cached right after its own
	// append, and that no one took since, is then used without reading its stream's tail. Default
	// false: every command reads the tail after the cached version, as other engines (instances
	// on one PostgreSQL schema) may have appended.
	SoleWriter bool
}

// cached is a loaded process in the engine's cache.
type cached struct {
	p *process.Process
	// current: p holds its stream's last event. Only a command's path (which holds the process's
	// lock) puts a current state: after its append, or unchanged after a refusal of a state it
	// took current. A reader puts its state back as not current, as a command may have appended
	// while the reader held it (see take and release).
	current bool
}

// Validate reports every missing or bad field.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("engine: Store is required"))
	}
	if c.Vault == nil {
		errs = append(errs, errors.New("engine: Vault is required"))
	}
	if c.Gates == nil {
		errs = append(errs, errors.New("engine: Gates is required"))
	}
	if c.Clock == nil {
		errs = append(errs, errors.New("engine: Clock is required"))
	}
	if c.CacheSize < 0 || c.ConflictRetries < 0 {
		errs = append(errs, errors.New("engine: CacheSize and ConflictRetries must not be negative"))
	}
	return errors.Join(errs...)
}

// Engine handles commands. It is safe for concurrent use.
type Engine struct {
	cfg       Config
	templates *templateCache

	mu    sync.Mutex
	cache map[uuid.UUID]cached // loaded processes; taken out while a command or a read uses them
	// snapAt is the version of the latest snapshot this engine loaded or saved of a cached
	// process (absent: none known); cleared with the cache (see SaveSnapshots).
	snapAt map[uuid.UUID]int64

	// locks serialise the commands on one process within this engine (striped by process ID), so
	// that they queue instead of conflicting; writers elsewhere are caught by the expected version.
	locks [256]sync.Mutex
}

func (e *Engine) lock(id uuid.UUID) func() {
	l := &e.locks[id[15]]
	l.Lock()
	return l.Unlock
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 10_000
	}
	if cfg.ArchiveEvery <= 0 {
		cfg.ArchiveEvery = 250
	}
	if cfg.SnapshotEvery == 0 {
		cfg.SnapshotEvery = 500
	}
	if cfg.ConflictRetries == 0 {
		cfg.ConflictRetries = 3
	}
	if cfg.Calendars == nil {
		cfg.Calendars = DefaultCalendars
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, templates: newTemplateCache(), cache: map[uuid.UUID]cached{}, snapAt: map[uuid.UUID]int64{}}, nil
}

// NoExpectation means the caller gave no expected version.
const NoExpectation int64 = -1

// Result is what a successful command reports.
type Result struct {
	// Process is the process's ID.
	Process uuid.UUID `json:"process"`
	// Version is the process's version after the command.
	Version int64 `json:"version"`
	// Duplicate is true when the command ID was handled before; nothing was written.
	Duplicate bool `json:"duplicate,omitempty"`
	// Position is where the command's last event is in the global log (zero for a duplicate).
	Position eventstore.Position `json:"-"`
}

// VersionError reports a command whose expected version is not the process's version.
type VersionError struct {
	Expected, Actual int64
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("engine: expected version %d, the process is at version %d", e.Expected, e.Actual)
}

// ErrVersion matches a *VersionError.
var ErrVersion = errors.New("engine: version mismatch")

// Unwrap returns ErrVersion.
func (e *VersionError) Unwrap() error { return ErrVersion }

// StreamOf returns the stream name of a process.
func StreamOf(id uuid.UUID) string { return "process-" + id.String() }

// meta completes a command's context: the time always comes from the engine's clock (a caller
// cannot back-date a command in the log), and a command without an ID gets a new one.
func (e *Engine) meta(m process.Meta) process.Meta {
	m.Now = e.cfg.Clock().UTC()
	m.Calendars = e.cfg.Calendars
	if m.CommandID == "" {
		m.CommandID = uuid.Must(uuid.NewV7()).String()
	}
	return m
}
