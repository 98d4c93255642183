package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
)

// verifiedStore is a database written by the real server: two processes with participants, one
// of them erased, read models caught up and the log sealed at shutdown.
type verifiedStore struct {
	db, pub      string
	first, other string // process IDs
}

func verifyFixture(t *testing.T) verifiedStore {
	t.Helper()
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	r.token("leipzig", "ben", "member")
	r.token("leipzig", "ines", "administrator")
	var ids []string
	for _, title := range []string{"Spielplatz Lindenauer Markt", "Radweg Karl-Heine-Straße"} {
		id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": title}).body["process"].(string)
		for k := range 3 {
			r.must("POST", "/api/v1/processes/"+id+"/register_participant", "member@leipzig", map[string]any{"person": fmt.Sprintf("7f3c1a2e-0000-4000-8000-%08d%s", k, id[len(id)-4:]),
				"group": "citizens", "name": fmt.Sprintf("Person %d", k), "email": fmt.Sprintf("p%d@example.org", k)})
		}
		r.must("POST", "/api/v1/processes/"+id+"/record_contribution", "member@leipzig", map[string]any{"text": "Mehr Schatten"})
		ids = append(ids, id)
	}
	r.must("POST", "/api/v1/persons/7f3c1a2e-0000-4000-8000-00000000"+ids[0][len(ids[0])-4:]+"/erase", "administrator@leipzig", nil)
	waitForReadModels(t, r.db)
	r.stop() // seals the log
	return verifiedStore{db: r.db, pub: filepath.Join(filepath.Dir(r.db), "seal.key.pub"), first: ids[0], other: ids[1]}
}

// waitForReadModels waits until every read model's active build has applied the last process event.
func waitForReadModels(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(2 * time.Minute) // a bound against a hang, as in waitUntil
	for {
		var current int
		err := db.QueryRow(`SELECT count(*) FROM projection_checkpoints c JOIN projection_versions v ON c.name = v.name AND c.version = v.active_version
			WHERE CAST(c.position AS INTEGER) >= (SELECT max(position) FROM events WHERE stream LIKE 'process-%')`).Scan(&current)
		if err == nil && current == len(readModels()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read models did not catch up: %d of %d current, %v", current, len(readModels()), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// copyDB copies the fixture's database (with its WAL, if any) into a new directory.
func copyDB(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out.Close()
	}
	return dst
}

func TestAuditVerify_tamper_matrix_on_a_real_database(t *testing.T) {
	t.Parallel()
	f := verifyFixture(t)
	stream := "process-" + f.first
	// The third event of the first process: a participant's registration (with sealed personal data).
	third := `(SELECT position FROM events WHERE stream = '` + stream + `' AND version = 3)`
	tests := []struct {
		name    string
		process string // "" for the whole store
		tamper  func(t *testing.T, path string)
		code    int
		want    []string
	}{
		{name: "clean store with an erased person", code: exitOK,
			want: []string{"OK|Hash-Ketten", "OK|Siegel", "OK|Lesemodell process_overview", "OK|Lesemodell audit_timeline", "Ergebnis / result: OK"}},
		{name: "clean process", process: "first", code: exitOK,
			want: []string{"OK", "Hash-Kette des Verfahrens", "Im letzten Siegel", "Ergebnis / result: OK"}},
		{name: "changed payload byte", code: exitBroken,
			tamper: tamperSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = ` + third),
			want:   []string{"BESCHÄDIGT / BROKEN", stream, "version: 3", "hash does not match"}},
		{name: "deleted event", code: exitBroken,
			tamper: tamperSQL(`DELETE FROM events WHERE position = ` + third),
			want:   []string{"BROKEN|Hash-Ketten", "has a gap", "Position / position:", "BROKEN|Siegel", "changed, replaced or moved after sealing"}},
		{name: "two swapped events", code: exitBroken,
			tamper: tamperSQL(`UPDATE events SET record = CASE version WHEN 3 THEN (SELECT record FROM events WHERE stream = '` + stream + `' AND version = 4) ELSE (SELECT record FROM events WHERE stream = '` + stream + `' AND version = 3) END,
				hash = CASE version WHEN 3 THEN (SELECT hash FROM events WHERE stream = '` + stream + `' AND version = 4) ELSE (SELECT hash FROM events WHERE stream = '` + stream + `' AND version = 3) END
				WHERE stream = '` + stream + `' AND version IN (3, 4)`),
			want: []string{"BESCHÄDIGT / BROKEN", stream, "version: 3"}},
		{name: "changed hash", code: exitBroken,
			tamper: tamperSQL(`UPDATE events SET hash = zeroblob(32) WHERE position = ` + third),
			want:   []string{"BESCHÄDIGT / BROKEN", stream, "version: 3", "hash does not match"}},
		{name: "changed hash, one process", process: "first", code: exitBroken,
			tamper: tamperSQL(`UPDATE events SET hash = zeroblob(32) WHERE position = ` + third),
			want:   []string{"BESCHÄDIGT / BROKEN", "Hash-Kette des Verfahrens", stream, "version: 3"}},
		{name: "truncated file", code: exitBroken, tamper: truncate,
			want: []string{"BESCHÄDIGT / BROKEN"}},
		{name: "rewritten stream with recomputed hashes", code: exitBroken,
			tamper: func(t *testing.T, path string) {
				sqlitetest.RewriteStream(t, path, "process-"+f.other, []byte(`{"template":"beteiligung-standard","title":"Gefälscht"}`))
			},
			want: []string{"OK|Hash-Ketten", "BROKEN|Siegel", "rewritten"}},
		{name: "rewritten stream, one process", process: "other", code: exitBroken,
			tamper: func(t *testing.T, path string) {
				sqlitetest.RewriteStream(t, path, "process-"+f.other, []byte(`{"template":"beteiligung-standard","title":"Gefälscht"}`))
			},
			want: []string{"OK|Hash-Kette des Verfahrens", "BROKEN|Im letzten Siegel", "process-" + f.other, "version: 1", "rewritten after sealing"}},
		{name: "read-model row changed by hand", code: exitBroken,
			tamper: tamperSQL(`UPDATE process_overview_v1_process SET title = 'Gefälscht' WHERE id = '` + f.first + `'`),
			want:   []string{"BROKEN|Lesemodell process_overview", "process_overview_v1_process", `id="` + f.first + `"`, "title", `"Gefälscht"`, `"Spielplatz Lindenauer Markt"`}},
		{name: "audit timeline row deleted, one process", process: "first", code: exitBroken,
			tamper: tamperSQL(`DELETE FROM audit_timeline_v1_chunk WHERE process = '` + f.first + `' AND chunk = 0`),
			want:   []string{"BROKEN|Lesemodell audit_timeline", "audit_timeline_v1_chunk", "missing"}},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			path := copyDB(t, f.db)
			if tc.tamper != nil {
				tc.tamper(t, path)
			}
			args := []string{"audit", "verify", "--db", path, "--key", f.pub}
			switch tc.process {
			case "first":
				args = append(args, f.first)
			case "other":
				args = append(args, f.other)
			}
			r := invoke(t, nil, args...)
			if strings.Contains(r.stdout, " 0 Strömen") {
				t.Errorf("the log check counted no streams:\n%s", r.stdout)
			}
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !says(r.stdout, w) {
					t.Errorf("the report does not say %q:\n%s", w, r.stdout)
				}
			}
			js := invoke(t, nil, append(args, "--json")...)
			var rep struct {
				OK     bool `json:"ok"`
				Checks []struct {
					Status string `json:"status"`
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(js.stdout), &rep); err != nil || js.code != tc.code || rep.OK != (tc.code == exitOK) || len(rep.Checks) == 0 {
				t.Fatalf("--json: exit %d, %v\n%s", js.code, err, js.stdout)
			}
		})
	}
}

// says reports whether the report has a line with every "|"-separated part of want.
func says(report, want string) bool {
	for line := range strings.Lines(report) {
		all := true
		for part := range strings.SplitSeq(want, "|") {
			all = all && strings.Contains(line, part)
		}
		if all {
			return true
		}
	}
	return false
}

// tamperSQL returns a tamper step that runs query on the copy.
func tamperSQL(query string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) { tamper(t, path, query) }
}

// truncate cuts the database file to half its size, after folding the WAL into it.
func truncate(t *testing.T, path string) {
	tamper(t, path, `PRAGMA wal_checkpoint(TRUNCATE)`)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerify_online_through_the_real_server(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	r.token("leipzig", "rita", "auditor")
	r.token("menden", "max", "auditor")
	admin := r.token("*", "root", "administrator")
	id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Online geprüft"}).body["process"].(string)
	waitForReadModels(t, r.db)
	cli := func(token string, args ...string) result {
		return invoke(t, nil, append([]string{"audit", "verify", "--server", r.url, "--token", token}, args...)...)
	}
	if res := cli(admin); res.code != exitOK || !says(res.stdout, "OK|Lesemodell process_overview") || !says(res.stdout, "OK|Siegel") {
		t.Fatalf("whole store: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := cli(r.tokens["auditor@leipzig"], id); res.code != exitOK || !says(res.stdout, "OK|Hash-Kette des Verfahrens") {
		t.Fatalf("one process: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := cli(r.tokens["auditor@menden"], id); res.code != exitFailure || !strings.Contains(res.stderr, "404") {
		t.Fatalf("another tenant's process: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := cli(r.tokens["auditor@leipzig"]); res.code != exitFailure || !strings.Contains(res.stderr, "403") {
		t.Fatalf("a tenant's auditor on the whole store: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	tamper(t, r.db, `UPDATE audit_timeline_v1_chunk SET entries = replace(entries, ',.', 'mallory,.') WHERE process = '`+id+`'`)
	res := cli(r.tokens["auditor@leipzig"], id, "--json")
	var rep struct {
		OK     bool `json:"ok"`
		Checks []struct {
			ReadModel string `json:"read_model"`
			Status    string `json:"status"`
			Problem   *struct {
				Table, Column, Stored string
			} `json:"problem"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil || res.code != exitBroken || rep.OK {
		t.Fatalf("a changed read-model row: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	for _, c := range rep.Checks {
		if c.ReadModel == "audit_timeline" && (c.Status != "broken" || c.Problem == nil || c.Problem.Table != "audit_timeline_v1_chunk" || c.Problem.Column != "entries" || !strings.HasPrefix(c.Problem.Stored, "line 1: ") || !strings.Contains(c.Problem.Stored, `mallory,.`)) {
			t.Fatalf("the audit timeline check: %+v", c)
		}
	}
	r.stop()
}
