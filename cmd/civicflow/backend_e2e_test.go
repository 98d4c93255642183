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
func postgresEnv(t *testing.T, dir string) (env []string, url, schema string) {
	t.Helper()
	url, schema = postgrestest.Schema(t)
	return []string{
		"CIVICFLOW_STORE_BACKEND=postgres",
		"CIVICFLOW_STORE_POSTGRES_URL=" + url,
		"CIVICFLOW_STORE_POSTGRES_SCHEMA=" + schema,
		"CIVICFLOW_STORE_SQLITE_PATH=" + filepath.Join(dir, "civicflow.db"),
		"CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + filepath.Join(dir, "seal.key"),
		"CIVICFLOW_SERVER_DEMO_TOKENS_FILE=" + filepath.Join(dir, "demo-tokens.txt"),
	}, url, schema
}

// schemaExists reports whether the schema was created on the server.
func schemaExists(t *testing.T, url, schema string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// While the PostgreSQL backend lacks parts serve needs, the real binary refuses to start on it:
// exit 2, every missing part named, and nothing written (no schema, no SQLite file, no seal key).
func TestE2E_serve_on_postgres_refuses_to_half_work(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary; skipped with -short")
	}
	missing := storage.Check(storage.Postgres, storage.Serve...)
	if missing == nil {
		t.Skip("the PostgreSQL backend provides every part serve needs: TestE2E_serve_on_postgres runs the scenario")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("build civicflow: %v", err)
	}
	dir := t.TempDir()
	env, url, schema := postgresEnv(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--addr", freeAddr(t))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
		t.Fatalf("serve on postgres = %v, want exit %d:\n%s", err, exitUsage, out)
	}
	var me *storage.MissingError
	if !errors.As(missing, &me) {
		t.Fatal(missing)
	}
	for _, want := range append([]string{`store.backend "postgres"`, "does not provide yet", "nothing was started or written"}, partNames(me.Parts)...) {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"civicflow.db", "seal.key", "demo-tokens.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written by a refused start", f)
		}
	}
	if schemaExists(t, url, schema) {
		t.Errorf("the refused start created the schema %s", schema)
	}
}

func partNames(parts []storage.Part) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

// The commands go through the ports: on PostgreSQL, tokens (which need only the event store) are
// issued and listed there, the SQLite-file tools refuse and say so, and a command that needs a
// part the backend lacks names it.
func TestCommands_on_postgres_go_through_the_ports(t *testing.T) {
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
		{"audit_seal", []string{"audit", "seal"}, []storage.Part{storage.EventStore, storage.Seals}},
		{"projections_rebuild", []string{"projections", "rebuild"}, []storage.Part{storage.EventStore, storage.ReadModels}},
	} {
		t.Run("names_missing_parts_"+tt.name, func(t *testing.T) {
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
