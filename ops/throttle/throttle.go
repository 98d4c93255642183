package throttle

import (
	"errors"
	"log/slog"
	"sync"
	"time"
)

// The reasons of a failed attempt: the label reason of civicflow_auth_failures_total.
const (
	// ReasonMissing is an attempt without credentials (no or no bearer Authorization header, an
	// empty sign-in form). It is logged and counted but does not lead to back-off: nothing was guessed.
	ReasonMissing = "missing"
	// ReasonInvalid is a credential that is malformed, unknown, wrong or revoked.
	ReasonInvalid = "invalid"
	// ReasonThrottled is an attempt refused by the back-off without checking its credential.
	ReasonThrottled = "throttled"
	// ReasonUnknownTenant is a request for the open data of a tenant the installation does not
	// know: it counts like an invalid credential, so that tenants cannot be enumerated cheaply.
	ReasonUnknownTenant = "unknown_tenant"
)

// Reasons lists every reason, for metrics that export a series per reason.
func Reasons() []string {
	return []string{ReasonMissing, ReasonInvalid, ReasonThrottled, ReasonUnknownTenant}
}

// Observer is told of every failed attempt. Implementations must be safe for concurrent use.
type Observer interface {
	ObserveAuthFailure(surface, reason string)
}

// Config configures a Guard; every field is optional.
type Config struct {
	// Free is how many failures an address or account may have before back-off starts. Default 5.
	Free int
	// Base is the first refusal's length; each further failure doubles it. Default 1s.
	Base time.Duration
	// Max is the longest refusal. Default 15m.
	Max time.Duration
	// Forget is how long after its last failure (or the end of its refusal) a key starts afresh.
	// Default 15m.
	Forget time.Duration
	// MaxEntries bounds the addresses and accounts remembered together. Default 20,000; beyond it
	// forgotten keys are dropped first, then arbitrary ones.
	MaxEntries int
	// Clock gives the time. Default time.Now.
	Clock func() time.Time
	// Logger logs every failed attempt at level Warn. Default slog.Default().
	Logger *slog.Logger
	// Observer counts failed attempts. Default: none.
	Observer Observer
}

// Validate reports every bad field.
func (c Config) Validate() error {
	var errs []error
	if c.Free < 0 || c.Base < 0 || c.Max < 0 || c.Forget < 0 || c.MaxEntries < 0 {
		errs = append(errs, errors.New("throttle: Free, Base, Max, Forget and MaxEntries must not be negative"))
	}
	if c.Max > 0 && c.Base > c.Max {
		errs = append(errs, errors.New("throttle: Base must not exceed Max"))
	}
	return errors.Join(errs...)
}

// Guard throttles failed authentications. It is safe for concurrent use.
type Guard struct {
	cfg  Config
	mu   sync.Mutex
	keys map[string]*entry
}

type entry struct {
	failures int
	until    time.Time // refused until then
	expires  time.Time // forgotten after then
}

// New returns a guard.
func New(cfg Config) (*Guard, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Free == 0 {
		cfg.Free = 5
	}
	if cfg.Base == 0 {
		cfg.Base = time.Second
	}
	if cfg.Max == 0 {
		cfg.Max = 15 * time.Minute
	}
	if cfg.Forget == 0 {
		cfg.Forget = 15 * time.Minute
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = 20_000
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Guard{cfg: cfg, keys: map[string]*entry{}}, nil
}

// Wait returns how long the attempt's address or account is still refused (0: go ahead). A
// refused attempt is logged and counted with ReasonThrottled; its credential must not be checked.
func (g *Guard) Wait(a Attempt) time.Duration {
	now := g.cfg.Clock()
	g.mu.Lock()
	var wait time.Duration
	for _, k := range a.keys() {
		if e := g.keys[k]; e != nil && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	g.mu.Unlock()
	if wait > 0 {
		g.report(a, ReasonThrottled, 0)
	}
	return wait
}

// Fail records a failed attempt: it is logged and counted, and unless reason is ReasonMissing,
// it counts towards the back-off of its address and account.
func (g *Guard) Fail(a Attempt, reason string) {
	failures := 0
	if reason != ReasonMissing {
		now := g.cfg.Clock()
		g.mu.Lock()
		for _, k := range a.keys() {
			failures = max(failures, g.fail(k, now))
		}
		g.mu.Unlock()
	}
	g.report(a, reason, failures)
}

// Succeed forgets the failures of the attempt's account: its owner proved the secret. The
// address keeps its failures (a guesser holding one valid token cannot wipe them that way).
func (g *Guard) Succeed(a Attempt) {
	if a.Account == "" {
		return
	}
	g.mu.Lock()
	delete(g.keys, "account "+a.Account)
	g.mu.Unlock()
}

// fail counts a failure of key and returns its count. g.mu is held.
func (g *Guard) fail(key string, now time.Time) int {
	e := g.keys[key]
	if e != nil && now.After(e.expires) {
		e = nil
	}
	if e == nil {
		if len(g.keys) >= g.cfg.MaxEntries {
			g.sweep(now)
		}
		e = &entry{}
		g.keys[key] = e
	}
	e.failures++
	e.until = now
	if over := e.failures - g.cfg.Free; over > 0 {
		lock := g.cfg.Max
		if over <= 30 && g.cfg.Base<<(over-1) < g.cfg.Max {
			lock = g.cfg.Base << (over - 1)
		}
		e.until = now.Add(lock)
	}
	e.expires = e.until.Add(g.cfg.Forget)
	return e.failures
}

// sweep drops forgotten keys and, if that frees no room, one arbitrary key. g.mu is held.
func (g *Guard) sweep(now time.Time) {
	for k, e := range g.keys {
		if now.After(e.expires) {
			delete(g.keys, k)
		}
	}
	for k := range g.keys {
		if len(g.keys) < g.cfg.MaxEntries {
			return
		}
		delete(g.keys, k)
	}
}

// Len returns how many addresses and accounts the guard remembers.
func (g *Guard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.keys)
}

func (g *Guard) report(a Attempt, reason string, failures int) {
	if g.cfg.Observer != nil {
		g.cfg.Observer.ObserveAuthFailure(a.Surface, reason)
	}
	g.cfg.Logger.Warn("authentication failed", "surface", a.Surface, "addr", a.Addr, "token", a.Account,
		"path", a.Path, "reason", reason, "failures", failures)
}
