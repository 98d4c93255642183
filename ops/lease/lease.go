package lease

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"
)

// Config configures a Manager. The zero value of every field but URL and Scope means its default.
type Config struct {
	// URL is the PostgreSQL server the instances share. Empty: this instance is the only one
	// (SQLite), and every lease is held from the start.
	URL string
	// Scope separates the leases of installations that share a server: the store's schema.
	// Required with URL.
	Scope string
	// Instance names this instance in PostgreSQL (the lease connection's application_name,
	// "civicflow lease <Instance>") and in the log. Default "<hostname>-<pid>".
	Instance string
	// Interval sets the pace: every Interval/2 a waiting instance tries to take the leases it
	// lacks and a holder checks its session (a check slower than Interval counts as lost), so a
	// holder notices a lost session within 1.5×Interval. A new holder starts the work 2×Interval
	// after it took the lease, so a takeover after the holder's process died takes at most
	// 2.5×Interval. Default 1s.
	Interval time.Duration
	// Logger receives takeovers and losses. Default slog.Default().
	Logger *slog.Logger
	// Changed, if set, is called whenever a work starts (true) or stops (false) on this
	// instance, e.g. for a metric.
	Changed func(name string, held bool)
}

// Validate reports every problem of the configuration (after defaults), joined.
func (c Config) Validate() error {
	var errs []error
	if c.URL != "" && c.Scope == "" {
		errs = append(errs, errors.New("lease: Scope is required with URL (the store's schema)"))
	}
	if c.Interval < 10*time.Millisecond || c.Interval > time.Minute {
		errs = append(errs, fmt.Errorf("lease: Interval %s is not between 10ms and 1m", c.Interval))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Instance == "" {
		host, _ := os.Hostname()
		c.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if c.Interval == 0 {
		c.Interval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Changed == nil {
		c.Changed = func(string, bool) {}
	}
	return c
}

// ErrLost is the cause (context.Cause) of a work's context when this instance lost the lease,
// as opposed to the end of Run's context: a work that finishes with a last step (a last seal)
// skips it when the lease was lost.
var ErrLost = errors.New("lease: lost")

// Work is what a lease's holder does until ctx ends. It should return promptly when ctx ends. If
// it returns before, the lease is released for another instance and taken again later.
type Work func(ctx context.Context) error

// Manager holds the leases of one instance. Create it with New, add the works with Add, then
// call Run once.
type Manager struct {
	cfg Config

	mu      sync.Mutex
	leases  []*lease
	running bool
}

// lease is one piece of work and its state; only Run's goroutine changes it, except running.
type lease struct {
	name  string
	key   int32
	work  Work
	taken bool      // this instance's session holds the lock
	start time.Time // when the work may start (taken plus the grace)
	after time.Time // do not try to take it before (the work failed)

	cancel context.CancelCauseFunc // the running work's; nil when none runs
	done   chan struct{}           // closed when the running work returned
	failed error                   // what the work returned, read after done

	mu      sync.Mutex
	working bool
}

// New returns a manager; it connects when Run is called.
func New(cfg Config) (*Manager, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg}, nil
}

// Instance returns the instance's name (Config.Instance or its default).
func (m *Manager) Instance() string { return m.cfg.Instance }

// Add registers a work under a name unique to it ("read_models"); call it before Run.
func (m *Manager) Add(name string, work Work) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		return fmt.Errorf("lease %s: added after Run", name)
	}
	if slices.ContainsFunc(m.leases, func(l *lease) bool { return l.name == name }) {
		return fmt.Errorf("lease %s: added twice", name)
	}
	m.leases = append(m.leases, &lease{name: name, key: hash32(name), work: work})
	return nil
}

// Held reports whether the named work runs on this instance now.
func (m *Manager) Held(name string) bool {
	m.mu.Lock()
	i := slices.IndexFunc(m.leases, func(l *lease) bool { return l.name == name })
	m.mu.Unlock()
	if i < 0 {
		return false
	}
	return m.leases[i].isWorking()
}

// Names returns the names of the works, in the order they were added.
func (m *Manager) Names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, len(m.leases))
	for i, l := range m.leases {
		names[i] = l.name
	}
	return names
}

func (l *lease) isWorking() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.working
}

// Run takes the leases it can and runs their works until ctx ends; then it stops every work,
// waits for them and releases the leases. It returns nil after ctx ended.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("lease: Run called twice")
	}
	m.running = true
	m.mu.Unlock()
	if m.cfg.URL == "" {
		return m.alone(ctx)
	}
	return m.shared(ctx)
}

// alone runs every work at once (one instance: every lease is its own), again one Interval
// after it returned early.
func (m *Manager) alone(ctx context.Context) error {
	tick := time.NewTicker(m.cfg.Interval)
	defer tick.Stop()
	for {
		now := time.Now()
		for _, l := range m.leases {
			m.reap(l, now)
			if l.cancel == nil && !now.Before(l.after) {
				m.startWork(ctx, l)
			}
		}
		select {
		case <-ctx.Done():
			m.stopAll(context.Cause(ctx))
			return nil
		case <-tick.C:
		}
	}
}

// startWork runs l's work in a goroutine with a context of its own.
func (m *Manager) startWork(ctx context.Context, l *lease) {
	wctx, cancel := context.WithCancelCause(ctx)
	l.cancel, l.done, l.failed = cancel, make(chan struct{}), nil
	l.setWorking(true)
	m.cfg.Changed(l.name, true)
	m.cfg.Logger.Info("lease: work started", "lease", l.name, "instance", m.cfg.Instance)
	go func() {
		defer close(l.done)
		l.failed = l.work(wctx)
	}()
}

func (l *lease) setWorking(v bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.working = v
}

// reap notices a work that returned by itself: it is logged and not started again for
// 3×Interval. It reports whether that happened.
func (m *Manager) reap(l *lease, now time.Time) bool {
	if l.cancel == nil {
		return false
	}
	select {
	case <-l.done:
	default:
		return false
	}
	m.finished(l)
	m.cfg.Logger.Error("lease: work returned while held; releasing it", "lease", l.name, "instance", m.cfg.Instance, "err", l.failed)
	l.after = now.Add(3 * m.cfg.Interval)
	return true
}

// stop cancels l's work with cause and waits for it.
func (m *Manager) stop(l *lease, cause error) {
	if l.cancel == nil {
		return
	}
	l.cancel(cause)
	<-l.done
	m.finished(l)
}

func (m *Manager) finished(l *lease) {
	l.cancel(ErrLost) // releases the context; a no-op when cancelled before
	l.cancel, l.done = nil, nil
	l.setWorking(false)
	m.cfg.Changed(l.name, false)
}

// stopAll cancels every work with cause and waits for them all.
func (m *Manager) stopAll(cause error) {
	for _, l := range m.leases {
		if l.cancel != nil {
			l.cancel(cause)
		}
	}
	for _, l := range m.leases {
		m.stop(l, cause)
		l.taken = false
	}
}

// hash32 maps a name to the 32-bit key of its advisory lock.
func hash32(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}
