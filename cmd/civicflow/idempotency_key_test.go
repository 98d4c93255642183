package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// A process command from the CLI carries an idempotency key: the caller's, else a new UUIDv7 (the
// server derives its events' IDs from it). When the command may have been done without an answer
// (a server error), the message names the key to send it again with.
func TestProcessCommand_sends_a_UUIDv7_idempotency_key_and_names_it_when_unanswered(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		code := status
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		if code == http.StatusOK {
			_, _ = w.Write([]byte(`{"process":"p1","version":2}`))
		}
	}))
	t.Cleanup(srv.Close)
	cmd := []string{"process", "suspend", "p1", "--reason", "Prüfung", "--server", srv.URL, "--token", "secret"}
	for range 2 {
		if r := invoke(t, nil, cmd...); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	if r := invoke(t, nil, append(cmd, "--idempotency-key", "mein-schluessel")...); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	mu.Lock()
	status = http.StatusBadGateway
	mu.Unlock()
	r := invoke(t, nil, cmd...)
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 4 {
		t.Fatalf("%d requests, want 4", len(keys))
	}
	for i, k := range []string{keys[0], keys[1], keys[3]} {
		if id, err := uuid.Parse(k); err != nil || id.Version() != 7 || id.String() != k {
			t.Errorf("request %d: key %q is not a UUIDv7", i, k)
		}
	}
	if keys[0] == keys[1] || keys[2] != "mein-schluessel" {
		t.Errorf("keys %q: want a new one per invocation and the caller's when given", keys)
	}
	if r.code == exitOK || !strings.Contains(r.stderr, "--idempotency-key "+keys[3]) {
		t.Errorf("after a server error: exit %d, %s; want the key to send again with", r.code, r.stderr)
	}
}
