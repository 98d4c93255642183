package throttle_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/throttle"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time      { return c.now }
func (c *clock) Add(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *clock               { return &clock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)} }
func attempt(addr, account string) throttle.Attempt {
	return throttle.Attempt{Surface: "api", Addr: addr, Account: account, Path: "/api/v1/processes"}
}

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) ObserveAuthFailure(surface, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[surface+"/"+reason]++
}

func newGuard(t testing.TB, c *clock, cfg throttle.Config) *throttle.Guard {
	t.Helper()
	cfg.Clock = c.Now
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	g, err := throttle.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGuard_backs_off_exponentially(t *testing.T) {
	t.Run("an_address_is_refused_after_its_free_failures_for_a_doubling_time", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 3})
		var waits []time.Duration
		for range 7 {
			if w := g.Wait(attempt("192.0.2.1", "")); w > 0 {
				waits = append(waits, w)
				c.Add(w)
			}
			g.Fail(attempt("192.0.2.1", ""), throttle.ReasonInvalid)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
		if fmt.Sprint(waits) != fmt.Sprint(want) {
			t.Fatalf("waits %v, want %v", waits, want)
		}
		if w := g.Wait(attempt("192.0.2.2", "")); w != 0 {
			t.Fatalf("another address waits %v", w)
		}
	})
	t.Run("the_refusal_never_exceeds_max", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 1, Max: time.Minute})
		for range 100 {
			g.Fail(attempt("192.0.2.1", ""), throttle.ReasonInvalid)
		}
		if w := g.Wait(attempt("192.0.2.1", "")); w != time.Minute {
			t.Fatalf("wait %v, want 1m", w)
		}
	})
	t.Run("an_account_is_refused_from_every_address", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 2})
		for i := range 3 {
			g.Fail(attempt(fmt.Sprintf("192.0.2.%d", i), "cf_abc"), throttle.ReasonInvalid)
		}
		if w := g.Wait(attempt("198.51.100.7", "cf_abc")); w != time.Second {
			t.Fatalf("the account waits %v from a fresh address, want 1s", w)
		}
	})
	t.Run("success_forgets_the_account_but_not_the_address", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 2})
		for range 3 {
			g.Fail(attempt("192.0.2.1", "cf_abc"), throttle.ReasonInvalid)
		}
		g.Succeed(attempt("192.0.2.1", "cf_abc"))
		if w := g.Wait(attempt("198.51.100.7", "cf_abc")); w != 0 {
			t.Fatalf("the account still waits %v after its owner signed in", w)
		}
		if w := g.Wait(attempt("192.0.2.1", "cf_other")); w == 0 {
			t.Fatal("the address was forgiven by one success")
		}
	})
	t.Run("requests_without_credentials_do_not_back_off", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 1})
		for range 10 {
			g.Fail(attempt("192.0.2.1", ""), throttle.ReasonMissing)
		}
		if w := g.Wait(attempt("192.0.2.1", "")); w != 0 {
			t.Fatalf("wait %v", w)
		}
	})
	t.Run("a_quiet_key_starts_afresh_after_forget", func(t *testing.T) {
		c := newClock()
		g := newGuard(t, c, throttle.Config{Free: 1, Forget: time.Minute})
		for range 4 {
			g.Fail(attempt("192.0.2.1", ""), throttle.ReasonInvalid)
		}
		c.Add(4*time.Second + time.Minute + time.Second)
		g.Fail(attempt("192.0.2.1", ""), throttle.ReasonInvalid)
		if w := g.Wait(attempt("192.0.2.1", "")); w != 0 {
			t.Fatalf("the first failure after a quiet time is refused for %v", w)
		}
	})
}

func TestGuard_memory_is_bounded(t *testing.T) {
	c := newClock()
	g := newGuard(t, c, throttle.Config{MaxEntries: 100})
	for i := range 10_000 {
		g.Fail(attempt(fmt.Sprintf("10.%d.%d.1", i/256, i%256), fmt.Sprintf("cf_a%d", i)), throttle.ReasonInvalid)
	}
	if n := g.Len(); n > 100 {
		t.Fatalf("%d keys remembered, the cap is 100", n)
	}
}

func TestGuard_logs_and_counts_every_failure_without_the_secret(t *testing.T) {
	c := newClock()
	var buf bytes.Buffer
	obs := &counter{n: map[string]int{}}
	g := newGuard(t, c, throttle.Config{Free: 1, Logger: slog.New(slog.NewTextHandler(&buf, nil)), Observer: obs})
	secret := "cf_abcdefgh_thesecretpartthatmustneverbelogged"
	r := httptest.NewRequest("GET", "/api/v1/processes", nil)
	r.RemoteAddr = "192.0.2.9:51234"
	at := throttle.AttemptOf(r, "api", secret)
	g.Fail(at, throttle.ReasonInvalid)
	g.Fail(at, throttle.ReasonInvalid)
	g.Wait(at)
	g.Fail(throttle.AttemptOf(r, "web", "hunter2"), throttle.ReasonInvalid)
	log := buf.String()
	for _, want := range []string{"addr=192.0.2.9", "token=cf_abcdefgh", "path=/api/v1/processes", "reason=invalid", "reason=throttled", "surface=web"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{"thesecretpart", "hunter2"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the secret %q:\n%s", secret, log)
		}
	}
	if obs.n["api/invalid"] != 2 || obs.n["api/throttled"] != 1 || obs.n["web/invalid"] != 1 {
		t.Fatalf("counted %v", obs.n)
	}
}

func TestAddress(t *testing.T) {
	cases := []struct{ name, remote, want string }{
		{"ipv4_without_port", "192.0.2.1:80", "192.0.2.1"},
		{"ipv6_by_its_64_network", "[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			if got := throttle.Address(r); got != c.want {
				t.Fatalf("%q → %q, want %q", c.remote, got, c.want)
			}
		})
	}
}

func TestPrefix_keeps_only_the_public_part_of_a_token(t *testing.T) {
	cases := map[string]string{"cf_abc234_secret": "cf_abc234", "cf_abc234": "", "password": "", "cf_ABC_x": "", "cf__x": ""}
	for in, want := range cases {
		if got := throttle.Prefix(in); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", in, got, want)
		}
	}
}
