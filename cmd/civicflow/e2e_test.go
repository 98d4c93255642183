package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// running is a civicflow server started from the built binary.
type running struct {
	t      testing.TB
	bin    string
	db     string
	url    string
	cmd    *exec.Cmd
	logs   *syncBuffer
	tokens map[string]string
}

// syncBuffer is a bytes.Buffer that the server's output goroutine and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// handedOut holds the ports freeAddr returned: tests run in parallel, and a port one test was given
// (and closed again, for its server to take) must not be given to another test.
var handedOut = struct {
	mu    sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freeAddr returns a loopback address whose port is free now and was returned by no other call in
// this test process. The port lies below the kernel's ephemeral range, so that no outgoing
// connection (of this or another test, or of a server) takes it before the test's server listens
// on it; where that range cannot be read, the kernel chooses.
func freeAddr(t testing.TB) string {
	t.Helper()
	handedOut.mu.Lock()
	defer handedOut.mu.Unlock()
	low := ephemeralLow()
	for range 1000 {
		port := 0
		if low > 20000 {
			port = 10000 + rand.IntN(low-10000)
		}
		if handedOut.ports[port] {
			continue
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return fmt.Sprintf("127.0.0.1:%d", port)
		}
	}
	t.Fatal("no free port")
	return ""
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux), or 0 if unknown.
var ephemeralLow = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil {
		return 0
	}
	return low
})

// startServer builds civicflow, starts "serve" on a free port and waits until it answers.
func startServer(t testing.TB, extra ...string) *running {
	t.Helper()
	return startServerEnv(t, nil, extra...)
}

// startServerEnv is startServer with extra environment variables.
func startServerEnv(t testing.TB, env []string, extra ...string) *running {
	t.Helper()
	return startServerOn(t, env, true, extra...)
}

// startServerOn is startServerEnv; withDB passes --db, a SQLite file in the test's directory,
// else the configuration (env) chooses the store.
func startServerOn(t testing.TB, env []string, withDB bool, extra ...string) *running {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the real binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("build civicflow: %v", err)
	}
	dir := t.TempDir()
	r := &running{t: t, bin: bin, db: filepath.Join(dir, "civicflow.db"), logs: &syncBuffer{}, tokens: map[string]string{}}
	addr := freeAddr(t)
	r.url = "http://" + addr
	args := append([]string{"serve", "--addr", addr}, extra...)
	if withDB {
		args = append([]string{"serve", "--addr", addr, "--db", r.db}, extra...)
	}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Env = append(append(os.Environ(), "CIVICFLOW_SERVER_DEMO_TOKENS_FILE="+filepath.Join(dir, "demo-tokens.txt"),
		"CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key")), env...)
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
	})
	r.waitReady()
	return r
}

// waitReady waits up to three minutes until the server answers /readyz with 200: a bound against
// a server that hangs, not a speed test (with the package's tests running in parallel on a busy
// 2-core machine, loading the demo has taken more than a minute).
func (r *running) waitReady() {
	r.t.Helper()
	r.waitReadyWithin(3 * time.Minute)
}

// waitReadyWithin waits up to wait until the server answers /readyz with 200.
func (r *running) waitReadyWithin(wait time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		resp, err := http.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("server did not become ready:\n%s", r.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// token creates a token with the CLI while the server runs.
func (r *running) token(tenant, user, role string) string {
	r.t.Helper()
	out, err := exec.Command(r.bin, "token", "create", "--db", r.db, "--tenant", tenant, "--user", user, "--role", role, "--json").Output()
	if err != nil {
		r.t.Fatalf("token create: %v", err)
	}
	var v struct{ Token string }
	if err := json.Unmarshal(out, &v); err != nil {
		r.t.Fatalf("token create printed %q", out)
	}
	r.tokens[role+"@"+tenant] = v.Token
	return v.Token
}

type httpReply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r *running) call(method, path, who string, body any, headers ...string) httpReply {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := httpReply{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (r *running) must(method, path, who string, body any) httpReply {
	r.t.Helper()
	rep := r.call(method, path, who, body)
	if rep.status >= 300 {
		r.t.Fatalf("%s %s as %s: %d %s", method, path, who, rep.status, rep.raw)
	}
	return rep
}

// stop sends SIGTERM and waits for a clean exit.
func (r *running) stop() {
	r.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Fatalf("server exited with %v:\n%s", err, r.logs)
		}
	case <-time.After(30 * time.Second):
		r.t.Fatalf("server did not stop:\n%s", r.logs)
	}
}

func TestE2E_full_lifecycle_through_the_real_binary(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	r.token("leipzig", "ben", "member")
	r.token("leipzig", "ines", "administrator")
	r.token("menden", "emil", "lead")
	tv := r.must("GET", "/api/v1/templates/kokreative-kommune", "member@leipzig", nil).body["template"].(map[string]any)
	open := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "kokreative-kommune", "title": "Kokreative Quartiersentwicklung Grünau", "programme": "Kokreative Kommune 2025"})
	id := open.body["process"].(string)
	base := "/api/v1/processes/" + id
	if r.call("GET", base, "lead@menden", nil).status != 404 {
		t.Fatal("another tenant's lead can see the process")
	}
	groups := strs(tv["stakeholder_groups"])
	formats := strs(tv["formats"])
	stages := tv["stages"].([]any)
	for i, st := range stages {
		stage := st.(map[string]any)
		for _, task := range list(stage["tasks"]) {
			r.must("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": task["key"], "evidence": "Nachweis im Aktenplan"})
		}
		for _, ap := range list(stage["approvals"]) {
			r.must("POST", base+"/grant_approval", "administrator@leipzig", map[string]any{"approval": ap["key"], "note": "freigegeben"})
		}
		for k := range 6 {
			r.must("POST", base+"/register_participant", "member@leipzig", map[string]any{"group": groups[k%len(groups)], "name": fmt.Sprintf("Person %d-%d", i, k), "email": fmt.Sprintf("p%d%d@example.org", i, k)})
		}
		for _, f := range formats {
			for k := range 2 {
				s := fmt.Sprintf("s%d-%s-%d", i, f, k)
				r.must("POST", base+"/schedule_session", "member@leipzig", map[string]any{"session": s, "title": "Termin", "format": f, "date": time.Now().UTC().Format(time.RFC3339), "place": "Stadtteilzentrum"})
				r.must("POST", base+"/hold_session", "member@leipzig", map[string]any{"session": s, "attendance": 18})
			}
		}
		r.must("POST", base+"/record_contribution", "member@leipzig", map[string]any{"text": "Mehr Grün im Hof"})
		r.must("POST", base+"/record_decision", "lead@leipzig", map[string]any{"subject": "Beschluss", "model": "consent", "outcome": "angenommen"})
		r.must("POST", base+"/publish_result", "lead@leipzig", map[string]any{"title": "Dokumentation"})
		m := fmt.Sprintf("m%d", i)
		r.must("POST", base+"/define_measure", "lead@leipzig", map[string]any{"measure": m, "title": "Maßnahme"})
		r.must("POST", base+"/report_progress", "member@leipzig", map[string]any{"measure": m, "progress": 100, "status": "done"})
		if i == len(stages)-1 {
			r.must("POST", base+"/complete", "lead@leipzig", nil)
			break
		}
		cur := r.must("GET", base, "lead@leipzig", nil)
		if cur.status != 200 {
			t.Fatal(cur.status)
		}
		etag := cur.header.Get("ETag")
		adv := r.call("POST", base+"/advance", "lead@leipzig", nil, "If-Match", etag)
		if adv.status != 200 {
			t.Fatalf("advance from %s: %d %s", stage["key"], adv.status, adv.raw)
		}
	}
	final := r.must("GET", base, "lead@leipzig", nil)
	if final.body["status"] != "completed" {
		t.Fatalf("status %v, want completed", final.body["status"])
	}
	// The CLI as a client: human output, JSON, and the exit code of a refusal.
	cli := func(args ...string) (string, int) {
		c := exec.Command(r.bin, append(args, "--server", r.url, "--token", r.tokens["lead@leipzig"])...)
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := cli("process", "list"); code != 0 || !strings.Contains(out, "Kokreative Quartiersentwicklung Grünau") {
		t.Fatalf("process list: %d\n%s", code, out)
	}
	if out, code := cli("process", "show", id, "--json"); code != 0 || !strings.Contains(out, `"status": "completed"`) {
		t.Fatalf("process show --json: %d\n%s", code, out)
	}
	other := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Zweites Verfahren"}).body["process"].(string)
	if out, code := cli("process", "advance", other); code != exitRefused || !strings.Contains(out, "gates_not_met") {
		t.Fatalf("advance with unmet gates: exit %d, want %d\n%s", code, exitRefused, out)
	}
	if out, code := cli("process", "show", "00000000-0000-0000-0000-000000000000"); code != exitFailure {
		t.Fatalf("show a missing process: exit %d, want %d\n%s", code, exitFailure, out)
	}
	r.stop()
	if out, err := exec.Command(r.bin, "store", "verify", "--db", r.db).CombinedOutput(); err != nil {
		t.Fatalf("verify after shutdown: %v\n%s", err, out)
	}
}

func TestE2E_demo_starts_a_living_system(t *testing.T) {
	t.Parallel()
	r := startServer(t, "--demo")
	var tokensFile string
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "tokens_file="); i >= 0 {
			tokensFile = strings.Fields(sc.Text()[i+len("tokens_file="):])[0]
		}
	}
	b, err := os.ReadFile(tokensFile)
	if err != nil {
		t.Fatalf("demo tokens file %q: %v\n%s", tokensFile, err, r.logs)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 5 && !strings.HasPrefix(line, "#") {
			r.tokens[f[2]+"@"+f[0]] = f[4]
		}
	}
	page := r.must("GET", "/api/v1/processes?limit=500", "administrator@*", nil)
	items := list(page.body["items"])
	stages := map[string]int{}
	for _, it := range items {
		stages[it["stage"].(string)]++
	}
	if len(items) < 15 || len(stages) < 5 {
		t.Fatalf("demo has %d processes in stages %v", len(items), stages)
	}
	// The demo's histories span weeks: their events are recorded at different times.
	first := list(page.body["items"])[0]["id"].(string)
	hist := list(r.must("GET", "/api/v1/processes/"+first+"/history", "administrator@*", nil).body["items"])
	if len(hist) < 2 || hist[0]["recorded_at"] == hist[len(hist)-1]["recorded_at"] {
		t.Fatalf("demo history recorded at one instant: %v … %v", hist[0]["recorded_at"], hist[len(hist)-1]["recorded_at"])
	}
	leipzig := r.must("GET", "/api/v1/processes", "viewer@leipzig", nil)
	for _, it := range list(leipzig.body["items"]) {
		if it["tenant"] != "leipzig" {
			t.Fatalf("Leipzig's viewer sees %v", it["tenant"])
		}
	}
	// The EWS round is a programme: its coordinator sees ten sites' stages and figures, no names.
	progs := list(r.must("GET", "/api/v1/programmes", "coordinator@ksi", nil).body["items"])
	if len(progs) != 1 || progs[0]["sites"] != 10.0 {
		t.Fatalf("the KSI's programmes: %v", progs)
	}
	prog := r.must("GET", "/api/v1/programmes/"+progs[0]["id"].(string), "coordinator@ksi", nil)
	if raw, _ := json.Marshal(prog.body); len(list(prog.body["sites"])) != 10 || strings.Contains(string(raw), "@example.org") {
		t.Fatalf("the coordinator's programme view: %s", raw)
	}
	r.stop()
}

func TestE2E_readiness_counts_only_what_the_process_list_follows(t *testing.T) {
	t.Parallel()
	r := startServerEnv(t, []string{"CIVICFLOW_SERVER_READY_MAX_LAG=2"})
	r.token("leipzig", "anna", "lead")
	r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Bereit?"})
	for i := range 4 { // token events after the last process event: the list does not follow them
		r.token("leipzig", fmt.Sprintf("user%d", i), "viewer")
	}
	resp, err := http.Get(r.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz: %d after token events, want 200", resp.StatusCode)
	}
	r.stop()
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func list(v any) []map[string]any {
	var out []map[string]any
	if v == nil {
		return out
	}
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

var _ = context.Background
