// Package peerstest is the conformance suite of postgres.Peers, the transports through which
// instances of one PostgreSQL store tell each other about commits. Every transport runs it
// against its real server:
//
//	peerstest.Run(t, peerstest.Transport{Server: "127.0.0.1:4222", New: func(t *testing.T, url, schema, addr string) postgres.Peers { … }})
//
// It checks that a second Store (another instance) on the same database is woken by a commit
// long before its poll, and that when the transport's connection drops the follower still gets
// every event (by polling) and is woken again after the connection is back. It also measures the
// wake-up latency for the transports' benchmark (Latency).
package peerstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/proxytest"
)

// Transport makes the Peers of one instance.
type Transport struct {
	// Server is the host:port of the transport's server. Required.
	Server string
	// New returns the Peers of one instance of the store in schema on the PostgreSQL server at
	// url, whose transport connects to addr (host:port: Server itself or a proxy in front of it),
	// gives up a lost connection and tries again within a second, and notices within a second a
	// connection that has gone silent. It closes what it opened
	// when the test ends (after the Store, which the suite opens later). Required.
	New func(t testing.TB, url, schema, addr string) postgres.Peers
}

// Run runs the suite.
func Run(t *testing.T, tr Transport) {
	t.Run("wakes_another_instance_long_before_its_poll", func(t *testing.T) { wakesBeforePoll(t, tr) })
	t.Run("keeps_every_event_while_cut_and_wakes_again_after_reconnect", func(t *testing.T) { survivesCut(t, tr, (*proxytest.Proxy).Cut) })
	t.Run("notices_a_silent_connection_and_wakes_again_after_reconnect", func(t *testing.T) { survivesCut(t, tr, (*proxytest.Proxy).Freeze) })
}

// Instance opens a Store on url/schema with peers and poll, closed when the test ends.
func Instance(t testing.TB, url, schema string, peers postgres.Peers, poll time.Duration) *postgres.Store {
	t.Helper()
	s, err := postgres.New(context.Background(), postgres.Config{URL: url, Schema: schema, Peers: peers, PollInterval: poll})
	if err != nil {
		t.Fatalf("open a store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Follower delivers the events of a subscription from the start of the log on a channel, with
// the time each arrived.
type Follower struct {
	C <-chan Delivery
}

// Delivery is one event a Follower delivered and when.
type Delivery struct {
	Event eventstore.Event
	At    time.Time
}

// Follow subscribes to s from the start; the subscription ends with the test.
func Follow(t testing.TB, s eventstore.Store) Follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{After: eventstore.Start})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	c := make(chan Delivery, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			e, err := sub.Next(ctx)
			if err != nil {
				return
			}
			c <- Delivery{Event: e, At: time.Now()}
		}
	}()
	t.Cleanup(func() { cancel(); sub.Close(); <-done })
	return Follower{C: c}
}

// Append appends one event to a stream of its own on s and returns it as appended.
func Append(t testing.TB, s eventstore.Store) eventstore.AppendResult {
	t.Helper()
	e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "peerstest.committed", SchemaVersion: 1,
		Data: []byte(`{"n":1}`), Metadata: eventstore.Metadata{Tenant: "peerstest", Actor: "peerstest"}}
	res, err := s.Append(context.Background(), "peerstest-"+e.ID.String(), eventstore.NoStream, e)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return res
}

// expect waits up to within for f to deliver the event at pos (and nothing else before it).
func (f Follower) expect(t testing.TB, pos eventstore.Position, within time.Duration) (time.Duration, bool) {
	t.Helper()
	start := time.Now()
	select {
	case d := <-f.C:
		if d.Event.Position != pos {
			t.Fatalf("delivered position %v, want %v (every event once, in order)", d.Event.Position, pos)
		}
		return d.At.Sub(start), true
	case <-time.After(within):
		return within, false
	}
}

// longPoll is the poll interval of an instance that must be woken by its Peers.
const longPoll = time.Minute

func wakesBeforePoll(t *testing.T, tr Transport) {
	url, schema := postgrestest.Schema(t)
	a := Instance(t, url, schema, tr.New(t, url, schema, tr.Server), longPoll)
	b := Instance(t, url, schema, tr.New(t, url, schema, tr.Server), longPoll)
	fa, fb := Follow(t, a), Follow(t, b)
	for i := range 5 {
		writer, other := a, fb
		if i%2 == 1 { // both directions
			writer, other = b, fa
		}
		res := Append(t, writer)
		if _, ok := other.expect(t, res.Position, 10*time.Second); !ok {
			t.Fatalf("commit %d at %v: the other instance did not see it within 10s (its poll interval is %s)", i, res.Position, longPoll)
		}
		own := fb
		if other == fb {
			own = fa
		}
		if _, ok := own.expect(t, res.Position, 10*time.Second); !ok {
			t.Fatalf("commit %d at %v: the writing instance's own subscription did not see it", i, res.Position)
		}
	}
}

// cutPoll is the poll interval of the follower whose transport is cut: its polls must deliver the
// events while the transport is down, and a wake-up must beat it clearly once it is back.
const cutPoll = 3 * time.Second

// survivesCut cuts B's transport with cut (the proxy closes its connections, or drops their bytes
// silently): B still gets every event, by polling, its Peers say they are not connected, and
// after the proxy is restored the wake-ups are back.
func survivesCut(t *testing.T, tr Transport, cut func(*proxytest.Proxy)) {
	url, schema := postgrestest.Schema(t)
	proxy := proxytest.New(t, tr.Server)
	a := Instance(t, url, schema, tr.New(t, url, schema, tr.Server), longPoll)
	bPeers := tr.New(t, url, schema, proxy.Addr())
	b := Instance(t, url, schema, bPeers, cutPoll)
	fb := Follow(t, b)
	waitWoken(t, a, fb, "before the cut")
	connected(t, bPeers, true, "before the cut")

	cut(proxy)
	connected(t, bPeers, false, "while cut")
	var want []eventstore.Position
	for range 20 {
		want = append(want, Append(t, a).Position)
	}
	for i, pos := range want {
		if _, ok := fb.expect(t, pos, 4*cutPoll); !ok {
			t.Fatalf("while the transport is cut: event %d of %d (%v) not delivered within %s (poll %s)", i+1, len(want), pos, 4*cutPoll, cutPoll)
		}
	}

	proxy.Restore()
	waitWoken(t, a, fb, "after the reconnect")
	connected(t, bPeers, true, "after the reconnect")
}

// connected checks, when peers tells whether it is connected (Connected() bool, for the
// operators' metric), that it says want within ten seconds.
func connected(t testing.TB, peers postgres.Peers, want bool, when string) {
	t.Helper()
	c, ok := peers.(interface{ Connected() bool })
	if !ok {
		return
	}
	for deadline := time.Now().Add(10 * time.Second); c.Connected() != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: Connected() = %t, want %t", when, !want, want)
		}
	}
}

// waitWoken commits on a until three commits in a row reach f each within a tenth of its poll
// interval (a poll does that by chance for at most one in ten, so three in a row say the
// transport woke it), for at most 30s.
func waitWoken(t testing.TB, a *postgres.Store, f Follower, when string) {
	t.Helper()
	fast := cutPoll / 10
	deadline := time.Now().Add(30 * time.Second)
	var lat []time.Duration
	for inRow := 0; inRow < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the follower was not woken by the transport within 30s (latencies %v, poll %s)", when, lat, cutPoll)
		}
		pos := Append(t, a).Position
		d, ok := f.expect(t, pos, 4*cutPoll)
		if !ok {
			t.Fatalf("%s: event %v not delivered within %s", when, pos, 4*cutPoll)
		}
		lat = append(lat, d)
		if d < fast {
			inRow++
		} else {
			inRow = 0
		}
	}
	t.Log(when, "wake-up latencies:", fmt.Sprint(lat))
}
