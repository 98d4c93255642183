package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// recordWhileStopped records n contributions on 64 new processes through serve's own wiring
// (openApp, the engine) on the stopped server's store, as the lead whose token r holds, and
// returns the processes.
func recordWhileStopped(t testing.TB, r *running, n int) []string {
	t.Helper()
	ctx := context.Background()
	a, meta := openAsLead(t, r)
	defer a.store.Close()
	ids := make([]uuid.UUID, 64)
	parallel(t, len(ids), 16, func(i int) error {
		res, err := a.engine.Open(ctx, meta, engine.OpenProcess{Template: "beteiligung-standard", Title: fmt.Sprint("Verlauf ", i)})
		ids[i] = res.Process
		return err
	})
	parallel(t, n, 32, func(i int) error {
		_, err := a.engine.Do(ctx, meta, ids[i%len(ids)], engine.NoExpectation, &engine.RecordContribution{Topic: "Radweg", Text: "Eine sichere Querung"})
		return err
	})
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// openAsLead opens the stopped server's store with serve's own wiring (openApp on the
// configuration the server ran with) and authenticates the server's lead token with the token
// registry. The caller closes a.store.
func openAsLead(t testing.TB, r *running) (*app, process.Meta) {
	t.Helper()
	cfg, err := config.Load(config.Options{Environ: r.cmd.Env})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store.SQLite.Path = r.db
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.tokens.Authenticate(context.Background(), r.tokens["lead@leipzig"])
	if err != nil {
		a.store.Close()
		t.Fatal(err)
	}
	return a, process.Meta{Actor: tok.Actor()}
}

// startPaced starts the stopped server again with its first seal's full pass working
// percent of the time, and waits until it is ready.
func (r *running) startPaced(percent int) int {
	r.t.Helper()
	mark := len(r.logs.String())
	r.cmd.Env = append(r.cmd.Env, fmt.Sprintf("CIVICFLOW_AUDIT_SEAL_PASS_PERCENT=%d", percent))
	r.restartSame()
	return mark
}

// since is the server's output after mark.
func (r *running) since(mark int) string { return r.logs.String()[mark:] }

// TestServe_a_stop_during_the_first_seal_pass_seals_from_the_tiles (issue 16): a server stopped
// while the start's full seal pass still runs (paced to 1 % here, so that it runs for a while on
// a small log) cancels the pass and seals at stop incrementally, from the tiles checked against
// the last head, instead of doing the whole pass again. The next start's full pass accepts that
// head; a record changed while the server was stopped is not covered by the stop's head and is
// refused at the next start.
func TestServe_a_stop_during_the_first_seal_pass_seals_from_the_tiles(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	r.token("leipzig", "bench", "lead")
	r.stop()
	recordWhileStopped(t, r, 3000)

	interrupted := func(what string) {
		t.Helper()
		mark := r.startPaced(1)
		time.Sleep(300 * time.Millisecond) // the pass has begun
		if out := r.since(mark); strings.Contains(out, "log sealed") {
			t.Fatalf("%s: the paced pass ended before the stop; the test needs a longer one:\n%s", what, out)
		}
		stopped := time.Now()
		r.stop()
		out := r.since(mark)
		for _, want := range []string{"seal cancelled by the stop", "pass=full", "log sealed", "pass=incremental"} {
			if !strings.Contains(out, want) {
				t.Fatalf("%s: no %q in the output (stopped in %v):\n%s", what, want, time.Since(stopped), out)
			}
		}
	}
	interrupted("the first stop")

	// The next start's full pass accepts the head the stop signed.
	mark := r.startPaced(100)
	r.waitLogged(t, mark, "log sealed", time.Minute)
	if out := r.since(mark); !strings.Contains(out, "pass=full") || strings.Contains(out, "refused") {
		t.Fatalf("the start after the stop:\n%s", out)
	}
	r.stop()

	// A sealed record changed while stopped: a stop during the pass signs a head again (over the
	// sealed leaves, not over the changed record), and the next full pass refuses the log.
	// (A contribution's record ends with a time, "…965Z\"}": one of its digits is changed.)
	tamper(t, r.db, `UPDATE events SET record = CAST(substr(record, 1, length(record) - 4) || char(48 + (unicode(substr(record, -4, 1)) - 47) % 10) || substr(record, -3) AS BLOB) WHERE position = 3000`)
	if out, code := r.cli("store", "verify", "--db", r.db); code == 0 {
		t.Fatalf("the change is not one: store verify says %s", out)
	}
	interrupted("the stop after the change")
	mark = len(r.logs.String())
	r.cmd.Env = append(r.cmd.Env, "CIVICFLOW_AUDIT_SEAL_PASS_PERCENT=100")
	r.startAgain(t)
	r.waitLogged(t, mark, "seal refused", time.Minute)
	resp, err := http.Get(r.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz after the refusal: %d, want 503", resp.StatusCode)
	}
	if !strings.Contains(r.since(mark), "position 3000") && !strings.Contains(r.since(mark), "does not extend") {
		t.Fatalf("the refusal does not name the change:\n%s", r.since(mark))
	}
	r.stop()
}

// TestServe_a_stop_during_a_new_stores_first_pass_seals_it_in_full: a log that was never sealed
// has no head for the stop's incremental seal to extend, so a stop during the start's first
// (paced) pass seals it with a full pass instead of leaving it unsealed.
func TestServe_a_stop_during_a_new_stores_first_pass_seals_it_in_full(t *testing.T) {
	t.Parallel()
	r := startServerEnv(t, []string{"CIVICFLOW_AUDIT_SEAL_INTERVAL=0"}) // no seal yet
	r.token("leipzig", "bench", "lead")
	r.stop()
	recordWhileStopped(t, r, 3000)
	r.cmd.Env = append(r.cmd.Env, "CIVICFLOW_AUDIT_SEAL_INTERVAL=1h")
	mark := r.startPaced(1)
	time.Sleep(300 * time.Millisecond) // the pass has begun
	if out := r.since(mark); strings.Contains(out, "log sealed") {
		t.Fatalf("the paced pass ended before the stop; the test needs a longer one:\n%s", out)
	}
	r.stop()
	out := r.since(mark)
	for _, want := range []string{"seal cancelled by the stop", "log sealed", "pass=full"} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in the output:\n%s", want, out)
		}
	}
	if strings.Contains(out, "nothing new sealed") {
		t.Fatalf("the stop left the log unsealed:\n%s", out)
	}
	// The next start's full pass accepts the head the stop signed over the whole log.
	mark = r.startPaced(100)
	r.waitLogged(t, mark, "log sealed", time.Minute)
	if out := r.since(mark); strings.Contains(out, "refused") {
		t.Fatalf("the start after the stop:\n%s", out)
	}
	r.stop()
}
