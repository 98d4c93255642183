package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
	"github.com/civicflow/civicflow/workflows/seal"
)

func TestAuditSeal_verifies_and_catches_a_rewritten_stream(t *testing.T) {
	path := writeLog(t)
	dir := t.TempDir()
	env := []string{"CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + filepath.Join(dir, "seal.key")}
	if r := invoke(t, env, "audit", "seal", "--db", path); r.code != exitOK || !strings.Contains(r.stdout, "6 Ereignisse") {
		t.Fatalf("seal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	pub := filepath.Join(dir, "seal.key.pub")
	if r := invoke(t, env, "audit", "seal", "verify", "--db", path, "--key", pub); r.code != exitOK || !strings.Contains(r.stdout, "OK: 1 Siegel") {
		t.Fatalf("verify an intact log: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	exported := invoke(t, env, "audit", "seal", "export", "--db", path)
	headsFile := filepath.Join(dir, "heads.txt")
	if err := os.WriteFile(headsFile, []byte(exported.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	sqlitetest.RewriteStream(t, path, "process-a", []byte(`{"task":"publish_call","evidence":"gefälscht"}`))
	if r := invoke(t, nil, "store", "verify", "--db", path); r.code != exitOK {
		t.Fatalf("the rewritten chain should still verify (only a seal catches it): exit %d %s", r.code, r.stderr)
	}
	r := invoke(t, env, "audit", "seal", "verify", "--db", path, "--key", pub, "--heads", headsFile)
	if r.code != exitBroken || !strings.Contains(r.stdout, "rewritten") {
		t.Fatalf("verify a rewritten stream: exit %d, want %d\nstdout: %s\nstderr: %s", r.code, exitBroken, r.stdout, r.stderr)
	}
	if r := invoke(t, env, "audit", "seal", "verify", "--db", path); r.code != exitUsage {
		t.Fatalf("verify without a key: exit %d, want %d", r.code, exitUsage)
	}
}

func TestAuditSeal_takes_the_key_from_the_environment_and_writes_the_heads_file(t *testing.T) {
	path := writeLog(t)
	dir := t.TempDir()
	skey, vkey, err := seal.GenerateKey("civicflow")
	if err != nil {
		t.Fatal(err)
	}
	heads := filepath.Join(dir, "witness", "seal.heads")
	env := []string{"CIVICFLOW_AUDIT_SEAL_KEY=" + skey, "CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + filepath.Join(dir, "keys", "seal.key"), "CIVICFLOW_AUDIT_HEADS_FILE=" + heads}
	if r := invoke(t, env, "audit", "seal", "--db", path); r.code != exitOK || !strings.Contains(r.stdout, vkey) {
		t.Fatalf("seal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !os.IsNotExist(err) {
		t.Fatalf("a key directory was created although the key came from the environment: %v", err)
	}
	if got, err := headsfile.Read(heads); err != nil || len(got) != 1 {
		t.Fatalf("heads file: %d heads, %v", len(got), err)
	}
	if r := invoke(t, nil, "audit", "seal", "verify", "--db", path, "--key", vkey, "--heads", heads); r.code != exitOK || !strings.Contains(r.stdout, "1 heads files") {
		t.Fatalf("verify with the derived public key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := append(env[1:], "CIVICFLOW_AUDIT_SEAL_KEY="+vkey)
	if r := invoke(t, bad, "audit", "seal", "--db", path); r.code != exitUsage || !strings.Contains(r.stderr, "audit.seal_key") || strings.Contains(r.stderr, vkey) {
		t.Fatalf("a public key given as the signing key: exit %d, want %d naming audit.seal_key without the value\n%s", r.code, exitUsage, r.stderr)
	}
}
