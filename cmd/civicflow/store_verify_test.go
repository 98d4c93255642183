package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// writeLog creates a database with two streams of three events each and returns its path.
func writeLog(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicflow.db")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		stream := []string{"process-a", "process-b"}[i%2]
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1,
			Data: []byte(`{"task":"publish_call","evidence":"Amtsblatt Nr. 12"}`)}
		if _, err := s.Append(context.Background(), stream, eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// tamper runs SQL against the database file behind the store's back.
func tamper(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func TestStoreVerify(t *testing.T) {
	changeByte := `UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 4`
	tests := []struct {
		name       string
		tamper     string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"passes_an_intact_log", "", exitOK, "OK: ", ""},
		{"names_the_event_with_a_changed_byte", changeByte, exitBroken, "BROKEN", `stream "process-b" version 2 (position 4): hash does not match`},
		{"names_a_deleted_event", `DELETE FROM events WHERE position = 2`, exitBroken, "BROKEN", "position 2 is missing"},
		{"names_two_swapped_events", `UPDATE events SET position = -1 WHERE position = 1; UPDATE events SET position = 1 WHERE position = 3; UPDATE events SET position = 3 WHERE position = -1`,
			exitBroken, "BROKEN", `stream "process-a" version 2 (position 1): version 2 follows version 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeLog(t)
			if tc.tamper != "" {
				tamper(t, path, tc.tamper)
			}
			r := invoke(t, nil, "store", "verify", "--db", path)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantStdout) || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					r.code, r.stdout, r.stderr, tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
		})
	}
	t.Run("fails_on_a_missing_file_without_creating_it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.db")
		r := invoke(t, nil, "store", "verify", "--db", path)
		if r.code != exitFailure || !strings.Contains(r.stderr, "no such file") {
			t.Fatalf("exit %d, stderr %q; want exit 1 naming the missing file", r.code, r.stderr)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("verify created %s", path)
		}
	})
	t.Run("fails_on_a_file_that_is_no_civicflow_database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		tamper(t, path, `CREATE TABLE x (y INTEGER)`)
		r := invoke(t, nil, "store", "verify", "--db", path)
		if r.code != exitFailure || !strings.Contains(r.stderr, "is this a civicflow database?") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// binDir is the directory buildBinary built into; TestMain removes it after every test ran.
var binDir string

// buildBinary builds the civicflow binary once for the package's tests.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "civicflow-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "civicflow")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	flag.Parse()
	// The command line as a client waits 30 s for an answer (client.timeout). audit verify on a
	// server replays the whole log against every read model, which took longer than that on a
	// busy 2-core machine with the tests running in parallel: the binaries the tests start
	// inherit a bound against a hang instead. (invoke passes its own environment.)
	if os.Getenv("CIVICFLOW_CLIENT_TIMEOUT") == "" {
		os.Setenv("CIVICFLOW_CLIENT_TIMEOUT", "5m")
	}
	// A run of the whole package (no -run, not -short) needs the binary: build it while the first
	// tests run in this process, not when the first end-to-end test asks for it.
	prebuild := flag.Lookup("test.run").Value.String() == "" && !testing.Short()
	if prebuild {
		go buildBinary()
	}
	code := m.Run()
	if prebuild {
		buildBinary() // waits for the build, if no test did
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func TestBinary_store_verify_exits_non_zero_on_a_tampered_copy(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("build civicflow: %v", err)
	}
	path := writeLog(t)
	ok := exec.Command(bin, "store", "verify", "--db", path)
	if out, err := ok.CombinedOutput(); err != nil {
		t.Fatalf("intact log: %v\n%s", err, out)
	}
	tamper(t, path, `UPDATE events SET hash = zeroblob(32) WHERE position = 5`)
	out, err := exec.Command(bin, "store", "verify", "--db", path).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitBroken || !strings.Contains(string(out), `stream "process-a" version 3 (position 5)`) {
		t.Fatalf("tampered log: %v\n%s", err, out)
	}
}
