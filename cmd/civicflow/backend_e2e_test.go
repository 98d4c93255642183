package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/storage"
)

// postgresEnv is the environment that puts a command on store.backend postgres in a fresh schema,
// with its files (SQLite path, seal key, demo tokens) in dir, where none should appear unless
// written on purpose.
func postgresEnv(t testing.TB, dir string) (env []string, url, schema string) {
	t.Helper()
	url, schema = pgSchema(t)
	return []string{
		"CIVICFLOW_STORE_BACKEND=postgres",
		"CIVICFLOW_STORE_POSTGRES_URL=" + url,
		"CIVICFLOW_STORE_POSTGRES_SCHEMA=" + schema,
		"CIVICFLOW_STORE_SQLITE_PATH=" + filepath.Join(dir, "civicflow.db"),
		"CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + filepath.Join(dir, "seal.key"),
		"CIVICFLOW_SERVER_DEMO_TOKENS_FILE=" + filepath.Join(dir, "demo-tokens.txt"),
	}, url, schema
}

// pgSchema is postgrestest.Schema with asynchronous commits: the test server acknowledges a
// commit before its WAL reaches the disk, which changes nothing a client can see while the server
// runs (a commit is visible and ordered as before; only a crash of PostgreSQL itself, which no
// test causes, could lose one) and spares each transaction an fsync: the demo loads on
// PostgreSQL in about a third of the time.
func pgSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url, schema = postgrestest.Schema(t)
	return asyncCommits(url), schema
}

// asyncCommits adds synchronous_commit=off (a run-time parameter pgx passes on) to a PostgreSQL
// URL or keyword/value connection string.
func asyncCommits(url string) string {
	switch {
	case !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://"):
		return url + " synchronous_commit=off"
	case strings.Contains(url, "?"):
		return url + "&synchronous_commit=off"
	default:
		return url + "?synchronous_commit=off"
	}
}

// The commands go through the ports: on PostgreSQL, tokens are issued and listed there, the log is
// sealed and the read models rebuilt there, and the SQLite-file tools refuse and say so.
func TestCommands_on_postgres_go_through_the_ports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env, _, _ := postgresEnv(t, dir)
	create := invoke(t, env, "token", "create", "--tenant", "leipzig", "--user", "anna", "--role", "lead", "--json")
	if create.code != exitOK {
		t.Fatalf("token create on postgres: exit %d\n%s%s", create.code, create.stdout, create.stderr)
	}
	list := invoke(t, env, "token", "list")
	if list.code != exitOK || !strings.Contains(list.stdout, "anna") {
		t.Fatalf("token list on postgres: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "civicflow.db")); err == nil {
		t.Error("token create on postgres wrote the SQLite file")
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"backup", []string{"backup", "--out", filepath.Join(dir, "b.db")}, `works on a SQLite file only, store.backend is "postgres"`},
		{"restore", []string{"restore", "--from", filepath.Join(dir, "b.db")}, `works on a SQLite file only, store.backend is "postgres"`},
		{"store_verify", []string{"store", "verify"}, `works on a SQLite file only, store.backend is "postgres"`},
	} {
		t.Run("refuses_"+tt.name, func(t *testing.T) {
			r := invoke(t, env, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", r.code, exitUsage, tt.want, r.stderr)
			}
		})
	}
	for _, tt := range []struct {
		name  string
		args  []string
		parts []storage.Part
	}{
		{"audit_seal", []string{"audit", "seal"}, []storage.Part{storage.EventStore, storage.Seals, storage.Sealing}},
		{"projections_rebuild", []string{"projections", "rebuild"}, []storage.Part{storage.EventStore, storage.ReadModels}},
	} {
		t.Run("through_the_ports_"+tt.name, func(t *testing.T) {
			err := storage.Check(storage.Postgres, tt.parts...)
			r := invoke(t, env, tt.args...)
			if err == nil {
				if r.code != exitOK {
					t.Fatalf("%v on postgres: exit %d\n%s", tt.args, r.code, r.stderr)
				}
				return
			}
			if r.code != exitUsage || !strings.Contains(r.stderr, err.Error()) {
				t.Fatalf("exit %d, want %d naming %v:\n%s", r.code, exitUsage, err, r.stderr)
			}
		})
	}
}

// --db names a SQLite file: with it a command works on that file whatever store.backend says.
func TestCommands_db_flag_selects_the_sqlite_file(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CIVICFLOW_STORE_BACKEND=postgres", "CIVICFLOW_STORE_POSTGRES_URL=postgres://nobody@127.0.0.1:1/none"}
	db := filepath.Join(dir, "civicflow.db")
	r := invoke(t, env, "token", "create", "--db", db, "--tenant", "leipzig", "--user", "anna", "--role", "lead")
	if r.code != exitOK {
		t.Fatalf("token create --db: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the SQLite file was not written: %v", err)
	}
}

// serve on store.backend postgres (a fresh schema) through the real binary: the demo is loaded,
// a command is answered, the read models are built in PostgreSQL; after a clean restart on the
// same schema everything is still there, and audit verify (the real binary, through the API)
// finds chains, seals and every read model intact, and a changed read-model row broken.
func TestE2E_serve_on_postgres_runs_the_demo_restarts_and_verifies(t *testing.T) {
	t.Parallel()
	if err := storage.Check(storage.Postgres, storage.Serve...); err != nil {
		t.Skipf("TestE2E_serve_on_postgres_refuses_to_half_work checks the refusal: %v", err)
	}
	dir := t.TempDir()
	env, url, schema := postgresEnv(t, dir)
	r := startServerOn(t, env, false, "--demo")
	demoTokens(t, r)
	if !strings.Contains(r.logs.String(), "backend=postgres schema="+schema) {
		t.Fatalf("serve does not say it runs on PostgreSQL:\n%s", r.logs)
	}
	before := list(r.must("GET", "/api/v1/processes?limit=500", "administrator@*", nil).body["items"])
	if len(before) < 15 {
		t.Fatalf("the demo on PostgreSQL has %d processes", len(before))
	}
	id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Auf PostgreSQL"}).body["process"].(string)
	inOverview := func(r *running) bool {
		rep := r.call("GET", "/api/v1/overview", "administrator@*", nil)
		return rep.status == 200 && strings.Contains(string(rep.raw), id)
	}
	waitUntil(t, "the new process in the overview read model", func() bool { return inOverview(r) })
	if _, err := os.Stat(filepath.Join(dir, "civicflow.db")); err == nil {
		t.Fatal("serve on postgres wrote a SQLite file")
	}
	r.stop()

	r2 := startServerOn(t, env, false)
	r2.tokens = r.tokens
	after := list(r2.must("GET", "/api/v1/processes?limit=500", "administrator@*", nil).body["items"])
	if len(after) != len(before)+1 || !inOverview(r2) {
		t.Fatalf("after the restart: %d processes (want %d), new one in the overview: %t", len(after), len(before)+1, inOverview(r2))
	}
	verify := func(args ...string) (int, string) {
		cmd := exec.Command(r2.bin, append([]string{"audit", "verify", "--server", r2.url, "--token", r2.tokens["administrator@*"]}, args...)...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := verify(); code != exitOK || !says(out, "OK|Lesemodell process_overview") || !says(out, "OK|Lesemodell audit_timeline") || !says(out, "OK|Siegel") {
		t.Fatalf("audit verify on PostgreSQL: exit %d\n%s", code, out)
	}
	execPG(t, url, schema, `UPDATE process_overview_v1_process SET title = 'Gefälscht' WHERE id = $1`, id)
	if code, out := verify(); code != exitBroken || !strings.Contains(out, "Gefälscht") {
		t.Fatalf("audit verify after a read-model row was changed in PostgreSQL: exit %d\n%s", code, out)
	}
	r2.stop()
}

// waitUntil polls cond for up to two minutes (a bound against a hang: the package's tests run in
// parallel, and on a busy machine each takes several times as long as alone).
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 2 minutes for %s", what)
		}
	}
}

// execPG runs one statement in the schema.
func execPG(t *testing.T, url, schema, stmt string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET search_path = `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	if tag, err := conn.Exec(ctx, stmt, args...); err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("%s: %v (%d rows)", stmt, err, tag.RowsAffected())
	}
}
