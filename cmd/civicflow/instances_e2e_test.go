package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/seal"
)

// cluster is several serve processes of the real binary on one PostgreSQL schema.
type cluster struct {
	t         testing.TB
	url       string
	schema    string
	instances []*running
}

// startCluster starts n instances on a fresh schema: the first with --demo (so there are tokens
// and processes), the others once it is ready. They share the seal key and nothing else on disk.
func startCluster(t testing.TB, n int, extraEnv ...string) *cluster {
	t.Helper()
	dir := t.TempDir()
	env, url, schema := postgresEnv(t, dir)
	skey, _, err := seal.GenerateKey("civicflow-cluster-test")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, url: url, schema: schema}
	for i := range n {
		ienv := append(append(append([]string(nil), env...), "CIVICFLOW_AUDIT_SEAL_KEY="+skey, fmt.Sprintf("CIVICFLOW_CLUSTER_INSTANCE=i%d", i+1)), extraEnv...)
		var r *running
		if i == 0 {
			r = startServerOn(t, ienv, false, "--demo")
			demoTokens(t, r)
		} else {
			r = startServerOn(t, ienv, false)
			r.tokens = c.instances[0].tokens
		}
		c.instances = append(c.instances, r)
	}
	return c
}

// held reports whether the instance does the lease's work, from its /metrics.
func held(r *running, name string) bool {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get(r.url + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	want := `civicflow_lease_held{lease="` + name + `"} 1`
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if sc.Text() == want {
			return true
		}
	}
	return false
}

// holder returns the one instance among rs that does the lease's work, waiting up to within.
func holder(t *testing.T, name string, within time.Duration, rs ...*running) *running {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var hs []*running
		for _, r := range rs {
			if held(r, name) {
				hs = append(hs, r)
			}
		}
		if len(hs) > 1 {
			t.Fatalf("%d instances do %s at once", len(hs), name)
		}
		if len(hs) == 1 {
			return hs[0]
		}
	}
	return nil
}

// acked is a command an instance acknowledged (2xx).
type acked struct {
	key     string // Idempotency-Key: the command ID in the log
	process string
	version int64
}

// load is 16 clients sending commands round the instances. Each client owns a process half of
// the time and shares it with another client the other half (so commands conflict: 409 is
// retried with the same key, 422 is a refusal); a request that gets no answer (its instance was
// killed) is sent again with the same key to the next instance.
type load struct {
	c     *cluster
	token string

	mu      sync.Mutex
	acks    []acked
	refused int
	retried int
	dead    map[*running]bool
}

func (l *load) alive(i int) *running {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range len(l.c.instances) {
		if r := l.c.instances[(i+k)%len(l.c.instances)]; !l.dead[r] {
			return r
		}
	}
	return nil
}

// send posts body to path with key until an instance answers other than 409; it returns the
// status and body of that answer.
func (l *load) send(client int, path, key string, body any) (int, map[string]any) {
	b, _ := json.Marshal(body)
	hc := http.Client{Timeout: 20 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for attempt := 0; ; attempt++ {
		if time.Now().After(deadline) {
			l.c.t.Errorf("client %d: %s: no instance decided it within a minute", client, path)
			return 0, nil
		}
		r := l.alive(client + attempt)
		req, _ := http.NewRequest("POST", r.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+l.token)
		req.Header.Set("Idempotency-Key", key)
		resp, err := hc.Do(req)
		if err != nil {
			l.mu.Lock()
			l.retried++
			l.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusConflict {
			l.mu.Lock()
			l.retried++
			l.mu.Unlock()
			continue
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		if resp.StatusCode >= 500 {
			l.c.t.Errorf("client %d: %s on %s: %d %s", client, path, r.url, resp.StatusCode, raw)
		}
		return resp.StatusCode, out
	}
}

// run drives the commands of one client until stop is closed.
func (l *load) run(client int, own string, shared func() string, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		process := own
		if i%2 == 1 {
			process = shared()
		}
		cmd, body := "suspend", any(map[string]any{"reason": "Haushaltssperre"})
		if (i/2)%2 == 1 {
			cmd, body = "resume", map[string]any{}
		}
		key := uuid.NewString()
		status, out := l.send(client, "/api/v1/processes/"+process+"/"+cmd, key, body)
		l.mu.Lock()
		switch {
		case status == 200:
			v, _ := out["version"].(float64)
			l.acks = append(l.acks, acked{key: key, process: process, version: int64(v)})
		case status == 422:
			l.refused++
		case status == 0: // reported by send
		default:
			l.c.t.Errorf("client %d: %s: %d %v", client, cmd, status, out)
		}
		l.mu.Unlock()
	}
}

// The multi-instance test of issue 17: three real binaries on one PostgreSQL schema, 16 clients
// driving commands across them, the instance holding the read models' lease SIGKILLed mid-load.
func TestE2E_three_instances_share_the_work_and_survive_the_read_model_holder(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, "CIVICFLOW_AUDIT_SEAL_INTERVAL=2s")
	first := holder(t, leaseReadModels, 30*time.Second, c.instances...)
	if first == nil {
		t.Fatal("no instance builds the read models")
	}
	l := &load{c: c, token: c.instances[0].tokens["lead@leipzig"], dead: map[*running]bool{}}
	const clients = 16
	owned := make([]string, clients)
	for i := range owned {
		status, out := l.send(i, "/api/v1/processes", uuid.NewString(), map[string]any{"template": "beteiligung-standard", "title": fmt.Sprintf("Mehrere Instanzen %d", i)})
		if status != 201 && status != 200 {
			t.Fatalf("open a process: %d %v", status, out)
		}
		owned[i] = out["process"].(string)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { l.run(i, owned[i], func() string { return owned[(i+1)%clients] }, stop) })
	}
	time.Sleep(4 * time.Second)

	killed := time.Now()
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	l.mu.Lock()
	l.dead[first] = true
	l.mu.Unlock()
	var survivors []*running
	for _, r := range c.instances {
		if r != first {
			survivors = append(survivors, r)
		}
	}
	next := holder(t, leaseReadModels, 10*time.Second, survivors...)
	took := time.Since(killed)
	if next == nil {
		t.Fatalf("no survivor took over the read models within 10 s")
	}
	t.Logf("read models taken over by %s %s after the SIGKILL", next.url, took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("the takeover took %s, want at most 5 s", took)
	}
	for _, name := range []string{leaseSeals, leaseTimers, leaseListSnapshot} {
		if holder(t, name, 10*time.Second, survivors...) == nil {
			t.Errorf("no survivor took over %s", name)
		}
	}
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()
	t.Logf("%d commands acknowledged, %d refused (decided on the current state), %d sent again (409 or no answer)", len(l.acks), l.refused, l.retried)
	if len(l.acks) < 100 {
		t.Fatalf("only %d commands acknowledged", len(l.acks))
	}

	c.checkLog(l.acks, owned)
	for _, r := range survivors {
		r.waitReady()
		n := len(list(r.must("GET", "/api/v1/processes?limit=500", "administrator@*", nil).body["items"]))
		if m := len(list(survivors[0].must("GET", "/api/v1/processes?limit=500", "administrator@*", nil).body["items"])); n != m {
			t.Errorf("%s lists %d processes, %s %d", r.url, n, survivors[0].url, m)
		}
	}
	for _, r := range survivors {
		out, err := exec.Command(r.bin, "audit", "verify", "--server", r.url, "--token", r.tokens["administrator@*"]).CombinedOutput()
		if err != nil || !says(string(out), "OK|Lesemodell process_overview") || !says(string(out), "OK|Lesemodell audit_timeline") {
			t.Fatalf("audit verify on %s: %v\n%s", r.url, err, out)
		}
	}
}

// checkLog checks that every acknowledged command is in the log at the version it was answered
// with, and waits until the audit timeline (a read model with one entry per process event) has
// applied each process up to its last version: no event skipped at the end. (audit verify
// compares every read model with a replay, which finds an event applied twice or skipped before.)
func (c *cluster) checkLog(acks []acked, processes []string) {
	t := c.t
	t.Helper()
	ctx := context.Background()
	st, err := postgres.New(ctx, postgres.Config{URL: c.url, Schema: c.schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events := map[string][]eventstore.Event{}
	byKey := map[string]eventstore.Event{}
	for _, p := range processes {
		evs, err := st.ReadStream(ctx, engine.StreamOf(uuid.MustParse(p)), eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if prev, dup := byKey[e.Metadata.CommandID]; dup && prev.Version != e.Version-1 {
				t.Fatalf("command %s wrote at versions %d and %d of %s", e.Metadata.CommandID, prev.Version, e.Version, p)
			}
			byKey[e.Metadata.CommandID] = e
		}
		events[p] = evs
	}
	for _, a := range acks {
		e, ok := byKey[a.key]
		if !ok || e.Stream != engine.StreamOf(uuid.MustParse(a.process)) || e.Version != a.version {
			t.Fatalf("acknowledged command %s (%s v%d) is not in the log as answered (found: %t, %s v%d)", a.key, a.process, a.version, ok, e.Stream, e.Version)
		}
	}
	conn, err := pgx.Connect(ctx, c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET search_path = `+pgx.Identifier{c.schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	// One timeline entry per event, in chunks by version: as many entries as the stream has
	// events, the last chunk ending at the stream's last position.
	waitUntil(t, "the audit timeline at every process's last event", func() bool {
		var build int
		if err := conn.QueryRow(ctx, `SELECT active_version FROM projection_versions WHERE name = 'audit_timeline'`).Scan(&build); err != nil {
			return false
		}
		for p, evs := range events {
			var entries string
			var last int64
			err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(string_agg(entries, '' ORDER BY chunk), ''), coalesce(max(last), 0) FROM audit_timeline_v%d_chunk WHERE process = $1`, build), p).Scan(&entries, &last)
			if err != nil {
				t.Fatal(err)
			}
			if last != int64(evs[len(evs)-1].Position.Commit()) {
				return false
			}
			if n := strings.Count(entries, "\n"); n != len(evs) {
				t.Fatalf("the audit timeline of %s has %d entries, its stream %d events", p, n, len(evs))
			}
		}
		return true
	})
}

// An instance that does not build the read models answers /readyz from their checkpoints in
// PostgreSQL: while the holder is paused (SIGSTOP: its session, and so its lease, stays), the
// read models fall behind the other instance's commands and that instance is not ready; once
// the holder goes on, it is ready again.
func TestE2E_a_non_holder_is_ready_only_while_the_shared_read_models_keep_up(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, "CIVICFLOW_SERVER_READY_MAX_LAG=5")
	h := holder(t, leaseReadModels, 30*time.Second, c.instances...)
	if h == nil {
		t.Fatal("no instance builds the read models")
	}
	other := c.instances[0]
	if other == h {
		other = c.instances[1]
	}
	ready := func() (int, string) {
		resp, err := http.Get(other.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	if code, body := ready(); code != 200 {
		t.Fatalf("the non-holder is not ready at the start: %d %s", code, body)
	}
	if err := h.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := h.cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer resume()
	id := other.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Angehalten"}).body["process"].(string)
	for i := range 10 {
		cmd, body := "suspend", any(map[string]any{"reason": "Pause"})
		if i%2 == 1 {
			cmd, body = "resume", map[string]any{}
		}
		other.must("POST", "/api/v1/processes/"+id+"/"+cmd, "lead@leipzig", body)
	}
	var body string
	waitUntil(t, "the non-holder to report the read models behind", func() bool {
		var code int
		code, body = ready()
		return code == 503
	})
	if !strings.Contains(body, "behind the log") {
		t.Fatalf("/readyz of the non-holder: %s, want the read model that is behind", body)
	}
	resume()
	waitUntil(t, "the non-holder ready again", func() bool { code, _ := ready(); return code == 200 })
	if again := holder(t, leaseReadModels, 10*time.Second, c.instances...); again != h {
		t.Fatal("the paused holder lost the read models' lease, though its session stayed")
	}
}

// Three instances started at the same moment on an empty schema: the schema is migrated once,
// the embedded templates are published once (each template's stream has one publication),
// exactly one instance builds the read models, and all three become ready.
func TestE2E_three_instances_started_together_on_an_empty_schema(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the real binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env, url, schema := postgresEnv(t, dir)
	skey, _, err := seal.GenerateKey("civicflow-cluster-test")
	if err != nil {
		t.Fatal(err)
	}
	var rs []*running
	for i := range 3 {
		addr := freeAddr(t)
		r := &running{t: t, bin: bin, url: "http://" + addr, logs: &syncBuffer{}, tokens: map[string]string{}}
		r.cmd = exec.Command(bin, "serve", "--addr", addr)
		r.cmd.Env = append(append(os.Environ(), env...), "CIVICFLOW_AUDIT_SEAL_KEY="+skey, fmt.Sprintf("CIVICFLOW_CLUSTER_INSTANCE=t%d", i+1),
			"CIVICFLOW_AUDIT_HEADS_FILE="+filepath.Join(dir, fmt.Sprintf("heads-%d", i+1)))
		r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
		rs = append(rs, r)
	}
	for _, r := range rs { // as close together as the test can
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if r.cmd.ProcessState == nil {
				r.cmd.Process.Kill()
				r.cmd.Wait()
			}
		})
	}
	for _, r := range rs {
		r.waitReady()
	}
	if holder(t, leaseReadModels, 30*time.Second, rs...) == nil {
		t.Fatal("no instance builds the read models")
	}
	ctx := context.Background()
	st, err := postgres.New(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	published := map[string]int{}
	for after := eventstore.Start; ; {
		page, err := st.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Type == template.TypePublished {
				published[e.Stream]++
			}
			after = e.Position
		}
		if len(page) < 1000 {
			break
		}
	}
	if len(published) == 0 {
		t.Fatal("no template was published")
	}
	for stream, n := range published {
		if n != 1 {
			t.Errorf("%s: published %d times, want once", stream, n)
		}
	}
	for _, r := range rs {
		r.stop()
	}
}
