package lease_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/ops/lease"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
)

// interval is the tests' lease interval: short, but long enough that a loaded machine runs a
// holder's check within it.
const interval = 250 * time.Millisecond

// exclusive is a work that counts how many instances run it at once and remembers the worst.
type exclusive struct {
	active, worst atomic.Int32
	mu            sync.Mutex
	causes        map[string][]error // by instance: why each of its runs ended
	started       map[string]int
}

func newExclusive() *exclusive {
	return &exclusive{causes: map[string][]error{}, started: map[string]int{}}
}

func (x *exclusive) work(instance string) lease.Work {
	return func(ctx context.Context) error {
		n := x.active.Add(1)
		for w := x.worst.Load(); n > w && !x.worst.CompareAndSwap(w, n); w = x.worst.Load() {
		}
		x.mu.Lock()
		x.started[instance]++
		x.mu.Unlock()
		<-ctx.Done()
		x.active.Add(-1)
		x.mu.Lock()
		x.causes[instance] = append(x.causes[instance], context.Cause(ctx))
		x.mu.Unlock()
		return nil
	}
}

// instance is one contender: a manager running until stop is called.
type instance struct {
	name string
	m    *lease.Manager
	stop func()
}

func start(t *testing.T, url, scope, name string, works map[string]lease.Work) *instance {
	t.Helper()
	m, err := lease.New(lease.Config{URL: url, Scope: scope, Instance: name, Interval: interval,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for n, w := range works {
		if err := m.Add(n, w); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(ctx); err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
	}()
	in := &instance{name: name, m: m}
	var once sync.Once
	in.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(in.stop)
	return in
}

// waitHolder waits until exactly one of the instances runs the work and returns it; want, if
// not nil, must be that one (another holder is waited out). Two holders at once fail the test.
func waitHolder(t *testing.T, work string, want *instance, within time.Duration, ins ...*instance) *instance {
	t.Helper()
	deadline := time.Now().Add(within)
	var last *instance
	for time.Now().Before(deadline) {
		var holders []*instance
		for _, in := range ins {
			if in.m.Held(work) {
				holders = append(holders, in)
			}
		}
		if len(holders) > 1 {
			t.Fatalf("%s and %s both run %s", holders[0].name, holders[1].name, work)
		}
		if len(holders) == 1 {
			last = holders[0]
			if want == nil || last == want {
				return last
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	if last != nil {
		t.Fatalf("%s still runs %s after %s, want %s", last.name, work, within, want.name)
	}
	t.Fatalf("no instance runs %s after %s", work, within)
	return nil
}

// killSession ends the lease session of the named instance from another connection, as the
// server does when the instance's process dies.
func killSession(t *testing.T, url, name string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
		"civicflow lease "+name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d lease sessions of %s, want 1", n, name)
	}
}

func TestLease_another_takes_over_when_the_holders_session_dies(t *testing.T) {
	url, scope := postgrestest.Schema(t)
	x := newExclusive()
	a := start(t, url, scope, "a-"+scope, map[string]lease.Work{"read_models": x.work("a")})
	waitHolder(t, "read_models", a, 10*interval, a)
	b := start(t, url, scope, "b-"+scope, map[string]lease.Work{"read_models": x.work("b")})
	time.Sleep(4 * interval) // b tries several times meanwhile
	if b.m.Held("read_models") || !a.m.Held("read_models") {
		t.Fatal("b took the lease from a live holder")
	}
	killed := time.Now()
	killSession(t, url, a.name)
	waitHolder(t, "read_models", b, 20*interval, a, b)
	took := time.Since(killed)
	t.Logf("takeover after the holder's session died: %s (bound 2.5×%s)", took.Round(time.Millisecond), interval)
	if took < 2*interval {
		t.Errorf("b started after %s, before its grace of 2×%s", took, interval)
	}
	time.Sleep(4 * interval) // a reconnects and waits
	if a.m.Held("read_models") || !b.m.Held("read_models") {
		t.Fatal("after reconnecting, a took the lease back")
	}
	if w := x.worst.Load(); w != 1 {
		t.Fatalf("%d instances ran the work at once", w)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.causes["a"]) != 1 || !errors.Is(x.causes["a"][0], lease.ErrLost) {
		t.Fatalf("a's work ended with %v, want one end with lease.ErrLost", x.causes["a"])
	}
}

func TestLease_a_stopped_holder_hands_over_and_its_work_sees_the_stop_not_a_loss(t *testing.T) {
	url, scope := postgrestest.Schema(t)
	x := newExclusive()
	a := start(t, url, scope, "a-"+scope, map[string]lease.Work{"seals": x.work("a")})
	waitHolder(t, "seals", a, 10*interval, a)
	b := start(t, url, scope, "b-"+scope, map[string]lease.Work{"seals": x.work("b")})
	a.stop()
	waitHolder(t, "seals", b, 20*interval, a, b)
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.causes["a"]) != 1 || errors.Is(x.causes["a"][0], lease.ErrLost) || !errors.Is(x.causes["a"][0], context.Canceled) {
		t.Fatalf("a's work ended with %v, want context.Canceled (a stop, not a loss)", x.causes["a"])
	}
}

func TestLease_a_work_that_returns_releases_its_lease_for_another(t *testing.T) {
	url, scope := postgrestest.Schema(t)
	var failed atomic.Int32
	failing := func(ctx context.Context) error { failed.Add(1); return errors.New("the read models' database is gone") }
	a := start(t, url, scope, "a-"+scope, map[string]lease.Work{"timers": failing})
	deadline := time.Now().Add(20 * interval)
	for failed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if failed.Load() == 0 {
		t.Fatal("a never ran its work")
	}
	x := newExclusive()
	b := start(t, url, scope, "b-"+scope, map[string]lease.Work{"timers": x.work("b")})
	waitHolder(t, "timers", b, 30*interval, a, b)
}

func TestLease_each_work_has_one_holder_through_three_kills(t *testing.T) {
	url, scope := postgrestest.Schema(t)
	names := []string{"read_models", "seals", "timers", "notify", "list_snapshot"}
	xs := map[string]*exclusive{}
	for _, n := range names {
		xs[n] = newExclusive()
	}
	var ins []*instance
	for i := range 3 {
		works := map[string]lease.Work{}
		for _, n := range names {
			works[n] = xs[n].work(fmt.Sprint(i))
		}
		ins = append(ins, start(t, url, scope, fmt.Sprintf("i%d-%s", i, scope), works))
	}
	// Kill the holder of the read models three times: each time another takes every lease it held.
	for round := range 3 {
		h := waitHolder(t, "read_models", nil, 20*interval, ins...)
		for _, n := range names {
			waitHolder(t, n, nil, 20*interval, ins...)
		}
		killSession(t, url, h.name)
		deadline := time.Now().Add(20 * interval)
		for waitHolder(t, "read_models", nil, 20*interval, ins...) == h {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %s still runs the read models after its session died", round, h.name)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	for _, n := range names {
		if w := xs[n].worst.Load(); w != 1 {
			t.Errorf("%s: %d instances ran it at once", n, w)
		}
	}
}

func TestLease_alone_holds_every_lease_at_once(t *testing.T) {
	m, err := lease.New(lease.Config{Interval: interval, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan string, 2)
	for _, n := range []string{"read_models", "seals"} {
		if err := m.Add(n, func(ctx context.Context) error { ran <- n; <-ctx.Done(); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	for range 2 {
		select {
		case <-ran:
		case <-time.After(interval): // without a server nothing waits for a grace
			t.Fatal("a work did not start at once")
		}
	}
	if !m.Held("read_models") || !m.Held("seals") {
		t.Fatal("Held is false for a running work")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m.Held("read_models") {
		t.Fatal("Held after Run returned")
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  lease.Config
		want string
	}{
		{"a URL without a scope", lease.Config{URL: "postgres://x@127.0.0.1/test"}, "Scope is required"},
		{"an interval too short", lease.Config{Interval: time.Millisecond}, "Interval 1ms"},
		{"an interval too long", lease.Config{Interval: time.Hour}, "Interval 1h0m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lease.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := lease.New(lease.Config{}); err != nil {
		t.Fatalf("the zero config (one instance): %v", err)
	}
}
