package main

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The real binary moves the demo's store to PostgreSQL: it copies and verifies, refuses to copy
// into the same schema again, and names a bad flag.
func TestE2E_store_copy_moves_the_demo_to_postgres_and_refuses_a_non_empty_target(t *testing.T) {
	t.Parallel()
	url, schema := pgSchema(t)
	r := startServerEnv(t, []string{"CIVICFLOW_AUDIT_SEAL_INTERVAL=100ms"}, "--demo")
	r.stop() // the last seal is made at shutdown
	cli := r.cli
	out, code := cli("store", "copy", "--from", "sqlite:"+r.db, "--to", url, "--schema", schema)
	if code != 0 || !strings.Contains(out, "OK: Ziel geprüft / target verified") || strings.Contains(out, " 0 Siegel geprüft") {
		t.Fatalf("store copy: exit %d, want 0 with the target verified and its seals checked\n%s", code, out)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func() (events, keys int64) {
		q := `SELECT (SELECT count(*) FROM ` + pgx.Identifier{schema, "events"}.Sanitize() + `), (SELECT count(*) FROM ` + pgx.Identifier{schema, "person_keys"}.Sanitize() + `)`
		if err := conn.QueryRow(ctx, q).Scan(&events, &keys); err != nil {
			t.Fatal(err)
		}
		return
	}
	events, keys := count()
	if events < 300 || keys == 0 {
		t.Fatalf("the target holds %d events and %d keys; the demo has more than 300 events and persons", events, keys)
	}

	out, code = cli("store", "copy", "--from", "sqlite:"+r.db, "--to", url, "--schema", schema)
	if code != exitFailure || !strings.Contains(out, "the target is not empty") || !strings.Contains(out, "nothing was copied") {
		t.Fatalf("copy into the same schema again: exit %d, want %d refusing a non-empty target\n%s", code, exitFailure, out)
	}
	if e, k := count(); e != events || k != keys {
		t.Fatalf("after the refusal the target holds %d events and %d keys; before %d and %d", e, k, events, keys)
	}

	for _, c := range []struct {
		name, flag string
		args       []string
	}{
		{"from_without_scheme", "--from", []string{"--from", r.db, "--to", url}},
		{"to_not_postgres", "--to", []string{"--from", "sqlite:" + r.db, "--to", "mysql://x"}},
		{"bad_schema", "--schema", []string{"--from", "sqlite:" + r.db, "--to", url, "--schema", "Drop Table"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, code := cli(append([]string{"store", "copy"}, c.args...)...)
			if code != exitUsage || !strings.Contains(out, c.flag) {
				t.Fatalf("exit %d, want %d naming %s\n%s", code, exitUsage, c.flag, out)
			}
		})
	}
}

// cli runs the binary with the server's environment and returns its output and exit code.
func (r *running) cli(args ...string) (string, int) {
	r.t.Helper()
	c := exec.Command(r.bin, args...)
	c.Env = r.cmd.Env
	out, err := c.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return string(out), 0
}
