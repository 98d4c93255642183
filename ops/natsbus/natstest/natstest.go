// Package natstest gives tests a NATS server with JetStream.
//
// The server is CIVICFLOW_TEST_NATS_URL, by default the one every development and CI machine of
// this project runs: nats://127.0.0.1:4222. When it cannot be reached or has no JetStream, a test
// fails under CI=true and is skipped otherwise, with a message that says how to start one.
package natstest

import (
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultURL is the server used when CIVICFLOW_TEST_NATS_URL is not set.
const DefaultURL = "nats://127.0.0.1:4222"

// URL returns the test server's URL, or fails (CI) or skips the test when it cannot be reached
// or has no JetStream.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CIVICFLOW_TEST_NATS_URL")
	if u == "" {
		u = DefaultURL
	}
	nc, err := nats.Connect(u, nats.Timeout(5*time.Second))
	if err == nil {
		var js nats.JetStreamContext
		if js, err = nc.JetStream(nats.MaxWait(5 * time.Second)); err == nil {
			_, err = js.AccountInfo()
		}
		nc.Close()
	}
	if err != nil {
		msg := "NATS with JetStream at " + u + " is not reachable (" + err.Error() + "); start one " +
			"(Debian: apt-get install nats-server; nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server) " +
			"or set CIVICFLOW_TEST_NATS_URL"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

// HostPort returns the host:port of a nats:// URL, for a proxy in front of it.
func HostPort(t testing.TB, natsURL string) string {
	t.Helper()
	p, err := url.Parse(natsURL)
	if err != nil || p.Host == "" {
		t.Fatalf("natstest: %q is not a nats://host:port URL", natsURL)
	}
	return p.Host
}

// DeleteStream deletes the stream name on the server at natsURL when the test ends (tests make
// streams of their own).
func DeleteStream(t testing.TB, natsURL, name string) {
	t.Cleanup(func() {
		nc, err := nats.Connect(natsURL)
		if err != nil {
			t.Errorf("delete stream %s: %v", name, err)
			return
		}
		defer nc.Close()
		js, err := nc.JetStream()
		if err == nil {
			err = js.DeleteStream(name)
		}
		if err != nil && !errors.Is(err, nats.ErrStreamNotFound) {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
}
