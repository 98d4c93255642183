package natsbus_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/natsbus"
	"github.com/civicflow/civicflow/ops/natsbus/natstest"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/peerstest"
)

func TestHeads_peers_conformance(t *testing.T) {
	server := natstest.HostPort(t, natstest.URL(t))
	peerstest.Run(t, peerstest.Transport{Server: server, New: headsVia})
}

// headsVia is the Heads of the store in schema, connecting to the NATS server at addr.
func headsVia(t testing.TB, _, schema, addr string) postgres.Peers {
	var once sync.Once
	topic := "civicflow_heads_" + schema
	natstest.DeleteStream(t, natstest.URL(t), topic) // after Close (cleanups run last first)
	h, err := natsbus.NewHeads(natsbus.HeadsConfig{URL: "nats://" + addr, Topic: topic,
		ReconnectWait: 100 * time.Millisecond, PingInterval: 200 * time.Millisecond,
		OnError: func(err error) { once.Do(func() { t.Log("first error:", err) }) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return h
}

func TestNewHeads_names_each_bad_field(t *testing.T) {
	_, err := natsbus.NewHeads(natsbus.HeadsConfig{Topic: "civicflow.heads", ReconnectWait: -time.Second, PingInterval: time.Millisecond})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"HeadsConfig.URL: is empty", "HeadsConfig.Topic", "HeadsConfig.ReconnectWait", "HeadsConfig.PingInterval"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
}

func TestNewHeads_fails_when_the_server_is_unreachable(t *testing.T) {
	_, err := natsbus.NewHeads(natsbus.HeadsConfig{URL: "nats://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "connect to nats://127.0.0.1:1") {
		t.Fatalf("error %v, want one naming the server", err)
	}
}

// listenerVia is the PostgreSQL Listener of the store in schema, connecting to addr.
func listenerVia(t testing.TB, dbURL, schema, addr string) postgres.Peers {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	l, err := postgres.NewListener(postgres.ListenerConfig{URL: u.String(), Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return l
}
