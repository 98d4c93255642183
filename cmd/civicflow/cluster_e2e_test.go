package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/civicflow/civicflow/ops/natsbus/natstest"
)

// Two serve processes on one PostgreSQL schema, for each cluster.notify that has a transport: a
// process created on one instance appears in the other's process list, and the transport is
// really used: both instances LISTEN on the schema's channel, or both follow the schema's heads
// stream on NATS, which holds the heads they announced.
func TestE2E_two_instances_on_postgres_tell_each_other_of_commits(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"listen", "nats"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			env, url, schema := postgresEnv(t, dir)
			env = append(env, "CIVICFLOW_CLUSTER_NOTIFY="+mode)
			var natsURL string
			if mode == "nats" {
				natsURL = natstest.URL(t)
				natstest.DeleteStream(t, natsURL, "civicflow_heads_"+schema)
				env = append(env, "CIVICFLOW_CLUSTER_NATS_URL="+natsURL)
			}
			a := startServerOn(t, env, false, "--demo")
			demoTokens(t, a)
			b := startServerOn(t, env, false)
			b.tokens = a.tokens
			id := a.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Auf Instanz A"}).body["process"].(string)
			waitUntil(t, "the process created on A in B's process list", func() bool {
				rep := b.call("GET", "/api/v1/processes?limit=500", "administrator@*", nil)
				return rep.status == 200 && strings.Contains(string(rep.raw), id)
			})
			for _, r := range []*running{a, b} {
				want := `civicflow_cluster_notify_connected{transport="` + mode + `"} 1`
				if rep := r.call("GET", "/metrics", "", nil); !strings.Contains(string(rep.raw), want) {
					t.Errorf("/metrics of %s does not say %s", r.url, want)
				}
			}
			switch mode {
			case "listen":
				if n := listeners(t, url, schema); n != 2 {
					t.Errorf("%d sessions LISTEN on the schema's channel, want 2 (one per instance)", n)
				}
			case "nats":
				st := headsStream(t, natsURL, "civicflow_heads_"+schema)
				if st.State.Msgs == 0 || st.State.Consumers < 2 {
					t.Errorf("heads stream: %d messages, %d consumers; want heads announced and one consumer per instance", st.State.Msgs, st.State.Consumers)
				}
			}
			a.stop()
			b.stop()
		})
	}
}

// listeners counts the sessions that LISTEN on the schema's notification channel.
func listeners(t *testing.T, url, schema string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'civicflow_listen' AND query = $1`,
		`LISTEN "civicflow_events_`+schema+`"`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func headsStream(t *testing.T, natsURL, name string) *nats.StreamInfo {
	t.Helper()
	info, err := jetStream(t, natsURL).StreamInfo(name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	return info
}

// jetStream connects to the NATS server for the test.
func jetStream(t *testing.T, natsURL string) nats.JetStreamContext {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// Bad cluster settings stop serve with an error that names the key; on SQLite the keys are
// ignored, and the log says so.
func TestE2E_serve_names_a_bad_cluster_key(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the real binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("build civicflow: %v", err)
	}
	pg := []string{"CIVICFLOW_STORE_BACKEND=postgres", "CIVICFLOW_STORE_POSTGRES_URL=postgres://nobody@127.0.0.1:1/none"}
	for _, c := range []struct {
		name string
		env  []string
		want string
	}{
		{"unknown notify", []string{"CIVICFLOW_CLUSTER_NOTIFY=kafka"}, `cluster.notify (from env CIVICFLOW_CLUSTER_NOTIFY): "kafka" is not one of listen, nats, poll`},
		{"nats without url", append(pg, "CIVICFLOW_CLUSTER_NOTIFY=nats"), `cluster.nats.url: must be set when cluster.notify is "nats"`},
		{"unreachable nats", append(pg, "CIVICFLOW_CLUSTER_NOTIFY=nats", "CIVICFLOW_CLUSTER_NATS_URL=nats://127.0.0.1:1"), "cluster.nats.url: natsbus: connect to nats://127.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "serve", "--addr", freeAddr(t))
			cmd.Env = append(append(os.Environ(), "CIVICFLOW_STORE_SQLITE_PATH="+filepath.Join(dir, "civicflow.db"),
				"CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key")), c.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !strings.Contains(string(out), c.want) {
				t.Fatalf("serve = %v, want a failure saying %q:\n%s", err, c.want, out)
			}
		})
	}
	t.Run("ignored on sqlite", func(t *testing.T) {
		r := startServerEnv(t, []string{"CIVICFLOW_CLUSTER_NOTIFY=nats"})
		if !strings.Contains(r.logs.String(), "cluster.notify and cluster.nats are ignored") {
			t.Errorf("serve on SQLite with cluster.notify nats does not say it is ignored:\n%s", r.logs)
		}
		r.stop()
	})
}

// With cluster.notify nats, the webhooks go over NATS: the holder of the notify lease (A, whose
// timers fire six days ahead) forwards each end of a period to the outbox's queue, and the two
// instances deliver from it, each delivery once: every end reaches the webhook exactly once, and
// the queue's durable consumer delivered and had acknowledged every one.
func TestE2E_notifications_over_nats_are_delivered_once(t *testing.T) {
	t.Parallel()
	natsURL := natstest.URL(t)
	hook := newHookReceiver(t)
	dir := t.TempDir()
	env, _, schema := postgresEnv(t, dir)
	env = append(env, "CIVICFLOW_CLUSTER_NOTIFY=nats", "CIVICFLOW_CLUSTER_NATS_URL="+natsURL, "CIVICFLOW_NOTIFY_WEBHOOKS_FILE="+hook.file)
	stream := "civicflow_outbox_" + schema
	natstest.DeleteStream(t, natsURL, stream)
	natstest.DeleteStream(t, natsURL, "civicflow_heads_"+schema)
	a := startServerOn(t, env, false, "--demo")
	demoTokens(t, a)
	a.must("POST", "/api/v1/templates", "administrator@leipzig", timerTemplate)
	const n = 6
	for i := range n {
		a.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "frist-e2e", "title": fmt.Sprint("Frist ", i)})
	}
	a.stop()
	a.restartWith("--clock-offset", "6d") // holds every lease: B comes later
	b := startServerOn(t, env, false)
	deadline := time.Now().Add(3 * time.Minute) // a bound against a hang, as in waitUntil
	for time.Now().Before(deadline) && len(hook.seen()) < n {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // a second delivery would arrive now
	hook.mu.Lock()
	if len(hook.ids) != n || hook.bad != 0 {
		t.Errorf("webhook received %d distinct deliveries with %d bad signatures, want %d and 0", len(hook.ids), hook.bad, n)
	}
	for id, times := range hook.times {
		if times != 1 {
			t.Errorf("delivery %s received %d times, want once", id, times)
		}
	}
	hook.mu.Unlock()
	for _, r := range []*running{a, b} {
		if rep := r.call("GET", "/metrics", "", nil); !strings.Contains(string(rep.raw), `civicflow_notify_queue_pending{handler="notify"} 0`) {
			t.Errorf("/metrics of %s does not say the notify queue is empty", r.url)
		}
	}
	info := consumerInfo(t, natsURL, stream, "notify")
	if info.Delivered.Consumer < n || info.NumAckPending != 0 {
		t.Errorf("the notify queue's consumer delivered %d messages with %d unacknowledged, want at least %d and 0", info.Delivered.Consumer, info.NumAckPending, n)
	}
	b.stop()
	a.stop()
}

func consumerInfo(t *testing.T, natsURL, stream, name string) *nats.ConsumerInfo {
	t.Helper()
	info, err := jetStream(t, natsURL).ConsumerInfo(stream, name)
	if err != nil {
		t.Fatalf("consumer %s of %s: %v", name, stream, err)
	}
	return info
}
