package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/notify/notifytest"
)

// timerTemplate has a stage that waits one day and then advances by itself.
var timerTemplate = map[string]any{
	"id": "frist-e2e", "title": map[string]string{"de": "Frist", "en": "Period"},
	"stages": []map[string]any{
		{"key": "waiting", "title": map[string]string{"de": "Warten", "en": "Waiting"}, "auto_advance": true},
		{"key": "done", "title": map[string]string{"de": "Fertig", "en": "Done"}},
	},
	"deadlines": []map[string]any{{"key": "wait", "title": map[string]string{"de": "Ein Tag", "en": "One day"},
		"stage": "waiting", "kind": "minimum", "days": 1, "legal_basis": "Test"}},
}

// hookReceiver is a real webhook endpoint that verifies signatures and counts deliveries by ID.
type hookReceiver struct {
	file  string
	mu    sync.Mutex
	ids   map[string]bool
	times map[string]int // deliveries per ID
	bad   int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{ids: map[string]bool{}, times: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		// the demo's clock runs six days ahead: its timestamps do too
		if err := notify.Verify("ein-langes-geheimnis", req.Header.Get(notify.HeaderTimestamp), req.Header.Get(notify.HeaderSignature), body, time.Now(), 8*24*time.Hour); err != nil {
			h.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if strings.Contains(string(body), `"deadline":"wait"`) {
			h.ids[req.Header.Get(notify.HeaderID)] = true
			h.times[req.Header.Get(notify.HeaderID)]++
		}
	}))
	t.Cleanup(srv.Close)
	h.file = filepath.Join(t.TempDir(), "webhooks.yaml")
	if err := os.WriteFile(h.file, []byte("- {tenant: leipzig, url: \""+srv.URL+"\", secret: ein-langes-geheimnis}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// seen returns the IDs the receiver accepted.
func (h *hookReceiver) seen() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.ids)
}

// mailIDs returns the Message-IDs of the mails about the test's period.
func mailIDs(box *notifytest.Mailbox) map[string]bool {
	ids := map[string]bool{}
	for _, m := range box.Messages() {
		if strings.Contains(string(m.Body), "„wait“") {
			ids[m.Message.Header.Get("Message-ID")] = true
		}
	}
	return ids
}

// mailFile writes a mail configuration that sends Leipzig's notifications to box.
func mailFile(t *testing.T, box *notifytest.Mailbox) string {
	file := filepath.Join(t.TempDir(), "mail.yaml")
	entry := "- {tenant: leipzig, addr: \"" + box.Addr + "\", from: civicflow@leipzig.example, to: [fristen@leipzig.example]}\n"
	if err := os.WriteFile(file, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// restartWith starts the binary again on the same database with extra arguments.
func (r *running) restartWith(extra ...string) {
	r.t.Helper()
	args := append(append([]string(nil), r.cmd.Args[1:]...), extra...)
	cmd := exec.Command(r.cmd.Path, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = r.cmd.Env, r.logs, r.logs
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd = cmd
	r.waitReady()
}

func (r *running) kill() {
	r.t.Helper()
	_ = r.cmd.Process.Kill() // SIGKILL
	_ = r.cmd.Wait()
}

// reachedCounts counts process.deadline_reached events per process stream in the database.
func reachedCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	rows, err := openRO(t, path).QueryContext(context.Background(), `SELECT stream FROM events WHERE type = 'process.deadline_reached'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stream string
		if err := rows.Scan(&stream); err != nil {
			t.Fatal(err)
		}
		out[stream]++
	}
	return out
}

// TestE2E_timers_fire_exactly_once_across_SIGKILL_and_restarts opens processes whose one-day
// period the server cannot see end, kills the server with SIGKILL, restarts it six days later (a weekend may move the end)
// (--demo --clock-offset 6d), kills it again as soon as it is up (some timers fired, some not)
// and restarts it: every timer has fired exactly once, marked late, and each process advanced by
// itself.
func TestE2E_timers_fire_exactly_once_across_SIGKILL_and_restarts(t *testing.T) {
	t.Parallel()
	hook := newHookReceiver(t)
	box := notifytest.Start(t)
	r := startServerEnv(t, []string{"CIVICFLOW_NOTIFY_WEBHOOKS_FILE=" + hook.file, "CIVICFLOW_NOTIFY_MAIL_FILE=" + mailFile(t, box)}, "--demo")
	r.token("leipzig", "ines", "administrator")
	r.token("leipzig", "anna", "lead")
	r.must("POST", "/api/v1/templates", "administrator@leipzig", timerTemplate)
	const n = 6
	ids := make([]string, n)
	for i := range ids {
		ids[i] = r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "frist-e2e", "title": fmt.Sprint("Frist ", i)}).body["process"].(string)
	}
	r.kill()
	r.restartWith("--clock-offset", "6d")
	r.kill() // right after start: the scheduler may have fired some of the due timers
	r.restartWith("--clock-offset", "6d")
	// Wait until every end is recorded, delivered by webhook and mailed (the router works behind
	// the log; on a loaded machine that takes a while), then another scheduler round: nothing may
	// fire twice.
	deadline := time.Now().Add(3 * time.Minute) // a bound against a hang, as in waitUntil
	for time.Now().Before(deadline) && (len(reachedCounts(t, r.db)) < n || len(hook.seen()) < n || len(mailIDs(box)) < n) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	for _, id := range ids {
		if p := r.must("GET", "/api/v1/processes/"+id, "lead@leipzig", nil).body; p["stage"] != "done" {
			t.Errorf("process %s in stage %v, want done (advanced by the system)", id, p["stage"])
		}
	}
	r.stop()
	counts := reachedCounts(t, r.db)
	for _, id := range ids {
		if c := counts["process-"+id]; c != 1 {
			t.Errorf("process %s: %d deadline_reached events, want exactly 1", id, c)
		}
	}
	// Every end reached reached the webhook, signed, each once by its idempotency ID (a killed
	// server may have delivered one twice: the receiver drops the second).
	hook.mu.Lock()
	if len(hook.ids) != n || hook.bad != 0 {
		t.Errorf("webhook received %d distinct deliveries with %d bad signatures, want %d and 0", len(hook.ids), hook.bad, n)
	}
	hook.mu.Unlock()
	if mails := mailIDs(box); len(mails) != n {
		t.Errorf("the mail server received %d distinct messages about the period, want %d", len(mails), n)
	}
	// A server killed between appending and logging fired a timer without saying so: at most n.
	if fired := strings.Count(r.logs.String(), "deadline=wait"); fired > n {
		t.Errorf("%d timers fired in the logs, more than %d", fired, n)
	}
}

func TestE2E_clock_offset_is_refused_without_demo(t *testing.T) {
	t.Parallel()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "serve", "--clock-offset", "31d", "--db", t.TempDir()+"/x.db").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "only with --demo") {
		t.Fatalf("serve --clock-offset without --demo: %v\n%s", err, out)
	}
}
