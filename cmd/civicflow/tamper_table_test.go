package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
)

// place is an event a command must name: its stream ("" for a position of the global log),
// version and position.
type place struct {
	stream   string
	version  int64
	position int64
}

// expect is what one command must do: its exit code, the event it names (nil: none checked) and
// a phrase it says.
type expect struct {
	code int
	at   *place
	says string
}

// tamperCase is one row of the README's tamper table: the three offline commands on a copy of a
// database written, sealed and stopped by the real server.
type tamperCase struct {
	name                string
	tamper              func(t *testing.T, path string)
	store, audit, seals expect
}

// TestTamper_table runs every row of the README's tamper table: store verify, audit verify and
// audit seal verify (both with the key and the server's heads file) on a tampered copy.
func TestTamper_table(t *testing.T) {
	t.Parallel()
	f := verifyFixture(t)
	one, other := "process-"+f.first, "process-"+f.other
	pos := positions(t, f.db)
	p := func(stream string, version int64) *place {
		return &place{stream, version, pos[fmt.Sprintf("%s/%d", stream, version)]}
	}
	at := func(stream string, version int64) string {
		return fmt.Sprintf(`(SELECT position FROM events WHERE stream = '%s' AND version = %d)`, stream, version)
	}
	last := pos["last"]
	ok := expect{code: exitOK}
	rewrite := func(t *testing.T, path string) {
		sqlitetest.RewriteStream(t, path, other, []byte(`{"template":"beteiligung-standard","title":"Gefälscht"}`))
	}
	deleteSeals := tamperSQL(`DELETE FROM seals`)
	changeTile := tamperSQL(`UPDATE merkle_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 0`)
	tests := []tamperCase{
		{name: "one byte in a record",
			tamper: tamperSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = ` + at(one, 3)),
			store:  expect{exitBroken, p(one, 3), "hash does not match"}, audit: expect{exitBroken, p(one, 3), "hash does not match"}, seals: expect{exitBroken, p(one, 3), "rewritten"}},
		{name: "one byte in a hash",
			tamper: tamperSQL(`UPDATE events SET hash = CAST(CASE WHEN substr(hash, 1, 1) = X'00' THEN X'01' ELSE X'00' END || substr(hash, 2) AS BLOB) WHERE position = ` + at(one, 3)),
			store:  expect{exitBroken, p(one, 3), "hash does not match"}, audit: expect{exitBroken, p(one, 3), "hash does not match"}, seals: ok},
		{name: "a deleted middle event", tamper: tamperSQL(`DELETE FROM events WHERE position = ` + at(one, 3)),
			store: expect{exitBroken, &place{position: p(one, 3).position}, "is missing"}, audit: expect{exitBroken, &place{position: p(one, 3).position}, "is missing"},
			seals: expect{exitBroken, &place{position: p(one, 3).position}, "rewritten"}},
		{name: "a deleted last event", tamper: tamperSQL(fmt.Sprintf(`DELETE FROM events WHERE position = %d`, last)),
			store: expect{exitBroken, nil, "events at the end are missing"}, audit: expect{exitBroken, nil, "events at the end are missing"},
			seals: expect{exitBroken, &place{position: last}, "events were removed"}},
		{name: "renumbered positions", tamper: tamperSQL(fmt.Sprintf(`DELETE FROM events WHERE position = %[1]d; UPDATE events SET position = position - 1 WHERE position > %[1]d; UPDATE log_head SET position = %[2]d`, p(one, 3).position, last-1)),
			store: expect{exitBroken, &place{one, 4, p(one, 4).position - 1}, "version 4 follows version 2"}, audit: expect{exitBroken, &place{one, 4, p(one, 4).position - 1}, "version 4 follows version 2"},
			seals: expect{exitBroken, &place{position: p(one, 3).position}, "rewritten"}},
		{name: "a swapped pair", tamper: tamperSQL(fmt.Sprintf(`UPDATE events SET position = -1 WHERE position = %[1]d; UPDATE events SET position = %[1]d WHERE position = %[2]d; UPDATE events SET position = %[2]d WHERE position = -1`, p(one, 3).position, p(one, 4).position)),
			store: expect{exitBroken, &place{one, 4, p(one, 3).position}, "version 4 follows version 2"}, audit: expect{exitBroken, &place{one, 4, p(one, 3).position}, "version 4 follows version 2"},
			seals: expect{exitBroken, &place{position: p(one, 3).position}, "rewritten"}},
		{name: "the chain link: a middle event rewritten with only its own hash recomputed",
			tamper: func(t *testing.T, path string) {
				sqlitetest.RewriteEvent(t, path, p(one, 3).position, []byte(`{"rewritten":true}`))
			},
			store: expect{exitBroken, p(one, 4), "hash does not match"}, audit: expect{exitBroken, p(one, 4), "hash does not match"}, seals: expect{exitBroken, p(one, 3), "rewritten"}},
		{name: "a rewritten stream with recomputed hashes", tamper: rewrite,
			store: ok, audit: expect{exitBroken, p(other, 1), "rewritten"}, seals: expect{exitBroken, p(other, 1), "rewritten"}},
		{name: "deleted seals", tamper: deleteSeals,
			store: ok, audit: expect{exitBroken, nil, "seals were deleted"}, seals: expect{exitBroken, nil, "seals were deleted"}},
		{name: "deleted seals and a rewritten stream", tamper: func(t *testing.T, path string) { deleteSeals(t, path); rewrite(t, path) },
			store: ok, audit: expect{exitBroken, p(other, 1), "rewritten"}, seals: expect{exitBroken, p(other, 1), "rewritten"}},
		{name: "deleted seals and a rewritten stream and a server restart", tamper: func(t *testing.T, path string) {
			deleteSeals(t, path)
			rewrite(t, path)
			serveRefusing(t, path)
		}, store: ok, audit: expect{exitBroken, p(other, 1), "rewritten"}, seals: expect{exitBroken, p(other, 1), "rewritten"}},
		{name: "a deleted merkle_tiles cache", tamper: tamperSQL(`DELETE FROM merkle_tiles`), store: ok, audit: ok, seals: ok},
		{name: "a changed merkle_tiles row", tamper: changeTile, store: ok, audit: ok, seals: ok},
		{name: "a changed merkle_tiles row and a rewritten stream", tamper: func(t *testing.T, path string) { changeTile(t, path); rewrite(t, path) },
			store: ok, audit: expect{exitBroken, nil, "cannot tell which"}, seals: expect{exitBroken, nil, "cannot tell which"}},
		{name: "a truncated file", tamper: truncate,
			store: expect{exitBroken, nil, "cannot be read"}, audit: expect{exitBroken, nil, "cannot be read"}, seals: expect{exitBroken, nil, "cannot be read"}},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			path := copySealed(t, f)
			tc.tamper(t, path)
			heads := filepath.Join(filepath.Dir(path), "seal.heads")
			for _, c := range []struct {
				args []string
				want expect
			}{
				{[]string{"store", "verify", "--db", path}, tc.store},
				{[]string{"audit", "verify", "--db", path, "--key", f.pub, "--heads", heads}, tc.audit},
				{[]string{"audit", "seal", "verify", "--db", path, "--key", f.pub, "--heads", heads}, tc.seals},
			} {
				r := invoke(t, nil, c.args...)
				out := r.stdout + r.stderr
				if r.code != c.want.code || !strings.Contains(out, c.want.says) || (c.want.at != nil && !names(out, *c.want.at)) {
					t.Errorf("%s %s: exit %d, want %d naming %+v and saying %q:\n%s", c.args[0], c.args[1], r.code, c.want.code, c.want.at, c.want.says, out)
				}
			}
		})
	}
}

// names reports whether a command's output names the event: in store verify's form
// (`stream "s" version 3 (position 12)`, `position 12:`) or in the reports' lines.
func names(out string, p place) bool {
	if p.stream == "" {
		return strings.Contains(out, fmt.Sprintf("position %d:", p.position)) || strings.Contains(out, fmt.Sprintf("Position / position: %d\n", p.position))
	}
	return strings.Contains(out, fmt.Sprintf("stream %q version %d (position %d)", p.stream, p.version, p.position)) ||
		strings.Contains(out, "Strom / stream: "+p.stream+"\n") && strings.Contains(out, fmt.Sprintf("Version / version: %d\n", p.version)) &&
			strings.Contains(out, fmt.Sprintf("Position / position: %d\n", p.position))
}

// positions maps "stream/version" of every event, and "last", to its position.
func positions(t *testing.T, path string) map[string]int64 {
	t.Helper()
	db := openRO(t, path)
	rows, err := db.Query(`SELECT stream, version, position FROM events ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var s string
		var v, p int64
		if err := rows.Scan(&s, &v, &p); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%s/%d", s, v)], out["last"] = p, p
	}
	return out
}

// copySealed copies the fixture's database with its seal key, public key and heads file into a
// new directory, as the server's data directory.
func copySealed(t *testing.T, f verifiedStore) string {
	t.Helper()
	path := copyDB(t, f.db)
	for _, name := range []string{"seal.key", "seal.key.pub", "seal.heads"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(f.db), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(filepath.Dir(path), name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// serveRefusing starts the real server on the tampered copy with its key and heads file, expects
// /readyz to report the refused seal and the refusal counted, stops it, and checks that it signed
// nothing: the heads file and the database's seals are as before.
func serveRefusing(t *testing.T, path string) {
	t.Helper()
	dir := filepath.Dir(path)
	headsPath := filepath.Join(dir, "seal.heads")
	before, err := headsfile.Read(headsPath)
	if err != nil || len(before) == 0 {
		t.Fatalf("heads file before: %d heads, %v", len(before), err)
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logs := &syncBuffer{}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", path)
	cmd.Env = append(os.Environ(), "CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key"), "CIVICFLOW_SERVER_DEMO_TOKENS_FILE="+filepath.Join(dir, "demo-tokens.txt"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	ready := waitFor(t, "http://"+addr+"/readyz", func(status int, body string) bool {
		return status == http.StatusServiceUnavailable && strings.Contains(body, "seals")
	})
	if !strings.Contains(ready, "does not extend the last head of "+headsPath) {
		t.Errorf("/readyz does not name the heads file: %s", ready)
	}
	metrics := waitFor(t, "http://"+addr+"/metrics", func(int, string) bool { return true })
	if !strings.Contains(metrics, "\ncivicflow_seal_refusals_total 1\n") {
		t.Errorf("/metrics does not count the refusal:\n%s", grepLines(metrics, "civicflow_seal"))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "seal refused") {
		t.Errorf("the server did not log the refusal:\n%s", logs)
	}
	after, err := headsfile.Read(headsPath)
	if err != nil || len(after) != len(before) {
		t.Fatalf("the heads file went from %d to %d heads (%v): the server signed a forged log\n%s", len(before), len(after), err, logs)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seals int
	if err := db.QueryRow(`SELECT count(*) FROM seals`).Scan(&seals); err != nil || seals != 0 {
		t.Fatalf("%d seals in the database after the restart (%v): the server signed a forged log", seals, err)
	}
}

// waitFor polls url for up to two minutes (a bound against a hang, as in waitUntil) until done
// accepts its answer, and returns the body.
func waitFor(t *testing.T, url string, done func(status int, body string) bool) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if done(resp.StatusCode, string(b)) {
				return string(b)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no answer as expected within 2 minutes (last: %v)", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func grepLines(text, part string) string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.Contains(line, part) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
