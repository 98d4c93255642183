package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Projection is a read model kept in SQL tables.
type Projection interface {
	// Name is stable, e.g. "process_overview"; it names the tables and the checkpoint.
	Name() string
	// Version is the version of the read model's code: when it differs from the one the active
	// build was made with, the runner rebuilds the read model beside the running one.
	Version() int
	// Filter selects the events the read model needs; empty selects all.
	Filter() eventstore.Filter
	// Schema returns the CREATE statements of the build's tables, named with t.
	Schema(t Tables) []string
	// Apply changes the build's tables for one event, inside the runner's transaction.
	Apply(ctx context.Context, tx *sql.Tx, t Tables, e eventstore.Event) error
}

// DB opens the transactions in which a batch and its checkpoint are written. A *sql.DB with one
// connection whose transactions take the write lock at once (ops/sqlite's ProjectionDB) fits.
type DB interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Config configures a Runner.
type Config struct {
	// Store is the event store whose global log is read (rebuilds, lag). Required.
	Store eventstore.Store
	// Source delivers the log to the running read models, after each one's checkpoint: serve
	// passes ops/messaging's Source (Watermill). Default StoreSource{Store}.
	Source Source
	// DB holds the read models' tables and checkpoints. Required.
	DB DB
	// Dialect is DB's SQL dialect. Default SQLite.
	Dialect Dialect
	// Projections are the read models to keep; names must be unique. At least one.
	Projections []Projection
	// BatchSize is the most events applied in one transaction. Default 1000.
	BatchSize int
	// CatchUpPage is how many events a read model that is behind (at start) reads straight from
	// Store and applies in one transaction, while whole pages come back, before it follows the
	// Source. Default 10,000.
	CatchUpPage int
	// Linger is how long a batch waits for more events after its first one, so that the read
	// models take SQLite's write lock a few times a second rather than once per command (the
	// event writer waits for that lock). Default 50ms; negative: do not wait.
	Linger time.Duration
	// Backoff is the first wait before a failed batch is retried; it doubles up to MaxBackoff.
	// Default 50ms.
	Backoff time.Duration
	// MaxBackoff is the longest wait between retries. Default 10s.
	MaxBackoff time.Duration
	// Logger receives retries and rebuilds. Default slog.Default().
	Logger *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("runner: Store is required"))
	}
	if c.DB == nil {
		errs = append(errs, errors.New("runner: DB is required"))
	}
	if len(c.Projections) == 0 {
		errs = append(errs, errors.New("runner: at least one projection is required"))
	}
	seen := map[string]bool{}
	for _, p := range c.Projections {
		if seen[p.Name()] {
			errs = append(errs, fmt.Errorf("runner: projection %q given twice", p.Name()))
		}
		seen[p.Name()] = true
	}
	if c.BatchSize < 0 || c.CatchUpPage < 0 || c.Backoff < 0 || c.MaxBackoff < 0 {
		errs = append(errs, errors.New("runner: BatchSize, CatchUpPage, Backoff and MaxBackoff must not be negative"))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Source == nil {
		c.Source = StoreSource{Store: c.Store}
	}
	if c.Linger == 0 {
		c.Linger = 50 * time.Millisecond
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.CatchUpPage == 0 {
		c.CatchUpPage = rebuildPage
	}
	if c.Backoff == 0 {
		c.Backoff = 50 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Runner keeps read models current. It is safe for concurrent use.
type Runner struct {
	cfg   Config
	byKey map[string]Projection

	mu    sync.Mutex
	pos   map[string]eventstore.Position // committed position of each read model's active build
	moved chan struct{}                  // closed and replaced whenever a position moves
}

// New returns a runner for cfg.
func New(cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Runner{cfg: cfg, byKey: map[string]Projection{}, pos: map[string]eventstore.Position{}, moved: make(chan struct{})}
	for _, p := range cfg.Projections {
		r.byKey[p.Name()] = p
	}
	return r, nil
}

// Run keeps every read model current until ctx ends or the store closes; then it returns nil.
// A read model without an active build, or built by another code version, is first rebuilt.
func (r *Runner) Run(ctx context.Context) error {
	if err := ensureMeta(ctx, r.cfg.DB, r.cfg.Dialect); err != nil {
		return err
	}
	errs := make(chan error, len(r.cfg.Projections))
	for _, p := range r.cfg.Projections {
		go func() { errs <- r.keep(ctx, p) }()
	}
	var all []error
	for range r.cfg.Projections {
		if err := <-errs; err != nil && !stopped(ctx, err) {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, eventstore.ErrClosed) || errors.Is(err, sql.ErrConnDone)
}

// keep follows one read model's active build, switching when a rebuild activates another.
func (r *Runner) keep(ctx context.Context, p Projection) error {
	for {
		var build, code int
		var pos eventstore.Position
		err := inTx(ctx, r.cfg.DB, func(tx *sql.Tx) (err error) {
			if build, code, err = activeBuild(ctx, tx, p.Name()); err != nil || build == 0 {
				return err
			}
			pos, err = loadCheckpoint(ctx, tx, p.Name(), build)
			return err
		})
		if err != nil {
			return err
		}
		if build == 0 || code != p.Version() {
			r.cfg.Logger.Info("projection rebuild", "projection", p.Name(), "from_build", build, "code_version", p.Version())
			if err := r.Rebuild(ctx, p.Name()); err != nil {
				return err
			}
			continue
		}
		r.moveTo(p.Name(), pos)
		pos, err = r.catchUp(ctx, p, build, pos)
		if err == nil {
			err = r.follow(ctx, p, build, pos)
		}
		if !errors.Is(err, errSwitched) {
			return err
		}
	}
}

// catchUp applies the log after pos to a build straight from the store, a page of CatchUpPage
// events per transaction, while whole pages come back (a start after a long stop, or on a log
// another program wrote), and returns the position reached; follow takes over from there. Through
// the Source, in batches of BatchSize, such a catch-up came at ~2,000–4,000 events/s on a loaded
// 2-core machine (issue 16: 466 s for 10^6 events).
func (r *Runner) catchUp(ctx context.Context, p Projection, build int, pos eventstore.Position) (eventstore.Position, error) {
	for {
		page, err := r.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: r.cfg.CatchUpPage, Filter: p.Filter()})
		if err != nil || len(page) < r.cfg.CatchUpPage {
			return pos, err
		}
		if err := r.applyWithRetry(ctx, p, build, pos, page, true); err != nil {
			return pos, err
		}
		pos = page[len(page)-1].Position
		r.moveTo(p.Name(), pos)
	}
}

// errSwitched means another build became active while a build was followed.
var errSwitched = errors.New("runner: active build switched")

// Position returns the global position up to which the named read model is current (as last
// committed by this runner), Start when unknown.
func (r *Runner) Position(name string) eventstore.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pos[name]
}

// WaitFor waits until the named read model has applied the log up to pos, or ctx ends.
func (r *Runner) WaitFor(ctx context.Context, name string, pos eventstore.Position) error {
	for {
		r.mu.Lock()
		done, moved := r.pos[name].Compare(pos) >= 0, r.moved
		r.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-moved:
		}
	}
}

// Lag returns how many positions of the log the named read model is behind the head (an upper
// bound: events its filter skips count too). The store must report its head.
func (r *Runner) Lag(ctx context.Context, name string) (int64, error) {
	h, ok := r.cfg.Store.(interface {
		Head(context.Context) (eventstore.Position, error)
	})
	if !ok {
		return 0, errors.New("runner: the store does not report its head")
	}
	head, err := h.Head(ctx)
	if err != nil {
		return 0, err
	}
	return max(0, int64(head.Commit())-int64(r.Position(name).Commit())), nil
}

func (r *Runner) moveTo(name string, pos eventstore.Position) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pos[name] = pos
	close(r.moved)
	r.moved = make(chan struct{})
}
