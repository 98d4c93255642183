package postgres_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/peerstest"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
)

func TestListener_peers_conformance(t *testing.T) {
	server := hostOf(t, postgrestest.URL(t))
	peerstest.Run(t, peerstest.Transport{Server: server, New: listenerVia})
}

// listenerVia is the Listener of the store at dbURL/schema, connecting to addr instead of the
// URL's host.
func listenerVia(t testing.TB, dbURL, schema, addr string) postgres.Peers {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	var once sync.Once
	l, err := postgres.NewListener(postgres.ListenerConfig{URL: u.String(), Schema: schema, Retry: 100 * time.Millisecond, Check: 200 * time.Millisecond,
		OnError: func(err error) { once.Do(func() { t.Log("first error (retrying every 100ms):", err) }) }})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func hostOf(t testing.TB, dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// Without Peers, another instance's commit reaches a follower only at its next poll: the control
// for the suite's "long before its poll".
func TestPeers_without_them_a_commit_waits_for_the_poll(t *testing.T) {
	url, schema := postgrestest.Schema(t)
	a := peerstest.Instance(t, url, schema, nil, time.Minute)
	b := peerstest.Instance(t, url, schema, nil, time.Minute)
	peerstest.Append(t, a)
	fb := peerstest.Follow(t, b)
	<-fb.C                  // the first read delivers what was committed before
	time.Sleep(time.Second) // and the subscription then waits for its poll (a minute)
	peerstest.Append(t, a)
	select {
	case d := <-fb.C:
		t.Fatalf("delivered %v without Peers before the poll", d.Event.Position)
	case <-time.After(time.Second):
	}
}

func TestNewListener_names_each_bad_field(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  postgres.ListenerConfig
		want []string
	}{
		{"empty URL", postgres.ListenerConfig{}, []string{"ListenerConfig.URL: is empty"}},
		{"bad URL and schema", postgres.ListenerConfig{URL: "postgres://h:x/db", Schema: "Bad-Schema", Retry: -time.Second, Check: time.Millisecond},
			[]string{"ListenerConfig.URL", "ListenerConfig.Schema", "ListenerConfig.Retry", "ListenerConfig.Check"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := postgres.NewListener(c.cfg)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

// A schema name of 63 letters makes a channel name longer than PostgreSQL's identifiers: the
// channel is then hashed, and appends and wake-ups still work.
func TestListener_long_schema_name(t *testing.T) {
	base := postgrestest.URL(t)
	_, schema := postgrestest.Schema(t)
	schema = schema + strings.Repeat("x", 63-len(schema))
	postgrestest.DropAtEnd(t, base, schema)
	l1 := listenerVia(t, base, schema, hostOf(t, base))
	l2 := listenerVia(t, base, schema, hostOf(t, base))
	a := peerstest.Instance(t, base, schema, l1, time.Minute)
	b := peerstest.Instance(t, base, schema, l2, time.Minute)
	fb := peerstest.Follow(t, b)
	res := peerstest.Append(t, a)
	select {
	case d := <-fb.C:
		if d.Event.Position != res.Position {
			t.Fatalf("delivered %v, want %v", d.Event.Position, res.Position)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not woken within 10s")
	}
}
