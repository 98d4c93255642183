package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/runner"
)

// TestE2E_SIGKILL_during_projection_then_restart_yields_the_models_of_a_rebuild drives the real
// binary with concurrent commands and kills it with SIGKILL several times while the read models
// are behind the log, restarting it each time. After the last restart has caught up, every read
// model table equals, row by row, the tables `civicflow projections rebuild` makes from the same
// log on a copy; and every command the server acknowledged (2xx) is in the log.
func TestE2E_SIGKILL_during_projection_then_restart_yields_the_models_of_a_rebuild(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	r.token("leipzig", "max", "member")
	const clients = 8
	ids := make([]string, clients)
	for i := range ids {
		ids[i] = r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": fmt.Sprint("Absturz ", i)}).body["process"].(string)
	}
	var acked []string // idempotency keys (= command IDs) of 2xx answers
	interrupted := 0   // kills that hit read models behind the log
	for kill := range 4 {
		keys, behind := loadAndKill(t, r, ids, kill)
		acked = append(acked, keys...)
		if len(behind) > 0 {
			interrupted++
		}
		t.Logf("kill %d: %d commands acknowledged; read models behind the log: %v", kill, len(keys), behind)
		r.restartSame()
	}
	// A kill lands at a random moment: on a busy machine the read models may have caught up just
	// then. The test means something only when kills interrupted projection work, so at least two
	// of the four must have.
	if interrupted < 2 {
		t.Errorf("only %d of 4 kills hit read models behind the log: the kills interrupted too little projection work", interrupted)
	}
	keys, _ := runLoad(r, ids, 300*time.Millisecond, 99)
	acked = append(acked, keys...)
	waitCaughtUp(t, r.db)
	r.stop()

	copyDB := filepath.Join(t.TempDir(), "copy.db")
	copyFile(t, r.db, copyDB)
	if out, err := exec.Command(r.bin, "projections", "rebuild", "--db", copyDB).CombinedOutput(); err != nil {
		t.Fatalf("projections rebuild: %v\n%s", err, out)
	}
	for _, p := range readModels() {
		got, want := dumpModel(t, r.db, p.Name()), dumpModel(t, copyDB, p.Name())
		if got != want {
			t.Errorf("%s after crashes differs from its rebuild:\n%s", p.Name(), firstDiff(got, want))
		}
		if strings.Count(got, "\n") < 2 {
			t.Errorf("%s is nearly empty:\n%s", p.Name(), got)
		}
	}
	missingAcknowledged(t, r.db, acked)
}

// loadAndKill runs the load and kills the server with SIGKILL after a random 150–450 ms (the
// first kill right after a restart-free start, the later ones while the restarted server catches
// up too). It returns the acknowledged keys and the read models that were behind the log.
func loadAndKill(t *testing.T, r *running, ids []string, round int) ([]string, []string) {
	t.Helper()
	after := time.Duration(150+rand.IntN(300)) * time.Millisecond
	var keys []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		keys, _ = runLoad(r, ids, time.Minute, round)
	}()
	time.Sleep(after)
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	r.cmd.Wait()
	<-done
	return keys, behindLog(t, r.db)
}

// runLoad sends contributions and participant registrations from one client per process until d
// passed or the server stops answering; it returns the keys of the commands answered with 2xx.
func runLoad(r *running, ids []string, d time.Duration, round int) ([]string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	var mu sync.Mutex
	var keys []string
	var firstErr error
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for c, id := range ids {
		wg.Go(func() {
			for n := 0; time.Now().Before(stop); n++ {
				key := fmt.Sprintf("crash-%d-%d-%d", round, c, n)
				path, body := "/record_contribution", `{"topic":"Radweg","text":"Eine sichere Querung"}`
				if n%4 == 0 {
					path, body = "/register_participant", fmt.Sprintf(`{"name":"Person %s","group":"citizens"}`, key)
				}
				req, _ := http.NewRequest("POST", r.url+"/api/v1/processes/"+id+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+r.tokens["member@leipzig"])
				req.Header.Set("Idempotency-Key", key)
				resp, err := client.Do(req)
				if err != nil { // killed
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode/100 == 2 {
					keys = append(keys, key)
				} else if firstErr == nil {
					firstErr = fmt.Errorf("%s: %d %s", path, resp.StatusCode, raw)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return keys, firstErr
}

// restartSame starts the binary again with the same arguments, environment and database.
func (r *running) restartSame() {
	r.t.Helper()
	cmd := exec.Command(r.cmd.Path, r.cmd.Args[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = r.cmd.Env, r.logs, r.logs
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd = cmd
	r.waitReady()
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// behindLog names the read models whose checkpoint is before the last event of their filter.
func behindLog(t *testing.T, path string) []string {
	t.Helper()
	db := openRO(t, path)
	var behind []string
	for _, p := range readModels() {
		_, pos, err := runner.Active(context.Background(), db, p.Name())
		if err != nil {
			t.Fatal(err)
		}
		if last := lastOf(t, db, p.Filter()); pos.Compare(last) < 0 {
			behind = append(behind, fmt.Sprintf("%s %s<%s", p.Name(), pos, last))
		}
	}
	return behind
}

// lastOf returns the position of the last event in the streams of f (stream prefixes only).
func lastOf(t *testing.T, db *sql.DB, f eventstore.Filter) eventstore.Position {
	t.Helper()
	var where []string
	var args []any
	for _, prefix := range f.StreamPrefixes {
		where = append(where, "substr(stream, 1, ?) = ?")
		args = append(args, len(prefix), prefix)
	}
	if len(f.EventTypes) > 0 {
		t.Fatal("lastOf: filters by event type are not supported")
	}
	q := "SELECT coalesce(max(position), 0) FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " OR ")
	}
	var last uint64
	if err := db.QueryRow(q, args...).Scan(&last); err != nil {
		t.Fatal(err)
	}
	return eventstore.SequencePosition(last)
}

// waitCaughtUp waits until no read model is behind the log.
func waitCaughtUp(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // a bound against a hang, as in waitUntil
	for {
		behind := behindLog(t, path)
		if len(behind) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("read models did not catch up: %v", behind)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dumpModel prints the checkpoint and every row of every table of a read model's active build, in
// table order, the build number left out of the table names.
func dumpModel(t *testing.T, path, name string) string {
	t.Helper()
	db := openRO(t, path)
	tables, pos, err := runner.Active(context.Background(), db, name)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "checkpoint %s\n", pos)
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ? ORDER BY name`, len(tables)+1, string(tables)+"_")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, table := range names {
		fmt.Fprintf(&out, "table %s\n", strings.TrimPrefix(table, string(tables)))
		dumpRows(t, db, table, &out)
	}
	return out.String()
}

func dumpRows(t *testing.T, db *sql.DB, table string, out *bytes.Buffer) {
	t.Helper()
	rows, err := db.Query(fmt.Sprintf(`SELECT * FROM "%s"`, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var line strings.Builder
		for i, v := range vals {
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprintf(&line, "%s=%v ", cols[i], v)
		}
		lines = append(lines, line.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines) // rows in any physical order
	for _, l := range lines {
		out.WriteString(l + "\n")
	}
}

// missingAcknowledged fails for every key that is not the command ID of an event in the log.
func missingAcknowledged(t *testing.T, path string, keys []string) {
	t.Helper()
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seen := map[string]bool{}
	for after := eventstore.Start; ; {
		evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			seen[e.Metadata.CommandID] = true
		}
		after = evs[len(evs)-1].Position
	}
	lost := 0
	for _, k := range keys {
		if !seen[k] {
			lost++
			t.Errorf("acknowledged command %s is not in the log", k)
		}
	}
	if len(keys) < 100 {
		t.Errorf("only %d commands acknowledged: the load did not run", len(keys))
	}
	t.Logf("%d acknowledged commands, %d lost", len(keys), lost)
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDiff shows the first differing line of two dumps.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
