package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_audit_export_after_an_erasure runs a process through the real binary, erases a
// participant, seals, exports the report as HTML, JSON and CSV and checks that the person's name,
// e-mail and contribution are in no export, no API answer and not in the database file or its
// WAL, and that the JSON export verifies offline — and fails with exit 3 once a byte changed.
func TestE2E_audit_export_after_an_erasure(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	dir := filepath.Dir(r.db)
	env := append(os.Environ(), "CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key"))
	for _, role := range []string{"lead", "member", "administrator", "auditor"} {
		r.token("leipzig", role+"-user", role)
	}
	id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Bürgerhaushalt Grünau"}).body["process"].(string)
	base := "/api/v1/processes/" + id
	for _, task := range []string{"define_subject", "choose_facilitation", "publish_call", "select_team"} {
		r.must("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": task, "evidence": "Aktenzeichen 4711"})
	}
	r.must("POST", base+"/register_participant", "member@leipzig", map[string]any{"participant": "t1", "person": "7f3c1a2e-0000-4000-8000-000000000815", "group": "citizens",
		"name": "Hildegard Kranichfeld", "email": "hildegard.kranichfeld@example.org"})
	r.must("POST", base+"/record_contribution", "member@leipzig", map[string]any{"participant": "t1", "text": "Ein Trinkbrunnen am Kranichweiher"})
	r.must("POST", base+"/record_decision", "lead@leipzig", map[string]any{"subject": "Trinkbrunnen", "model": "consent", "outcome": "angenommen"})
	r.must("POST", "/api/v1/persons/7f3c1a2e-0000-4000-8000-000000000815/erase", "administrator@leipzig", nil)
	secrets := []string{"Hildegard", "Kranichfeld", "hildegard.kranichfeld@example.org", "Trinkbrunnen am Kranichweiher"}
	absent := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Fatalf("%s holds %q after the erasure", where, s)
			}
		}
	}
	cli := func(args ...string) (string, int) {
		c := exec.Command(r.bin, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		return string(out), 0
	}
	if out, code := cli("audit", "seal", "--db", r.db); code != 0 {
		t.Fatalf("audit seal: exit %d\n%s", code, out)
	}
	files := map[string]string{}
	for _, format := range []string{"html", "json", "csv"} {
		files[format] = filepath.Join(dir, "report."+format)
		if out, code := cli("audit", "export", id, "--format", format, "--out", files[format], "--server", r.url, "--token", r.tokens["auditor@leipzig"]); code != 0 {
			t.Fatalf("audit export --format %s: exit %d\n%s", format, code, out)
		}
		b, err := os.ReadFile(files[format])
		if err != nil {
			t.Fatal(err)
		}
		absent(format+" export", b)
		if !bytes.Contains(b, []byte("erased on ")) && format != "csv" {
			t.Fatalf("the %s export does not show the erasure", format)
		}
	}
	for _, who := range []string{"lead@leipzig", "auditor@leipzig", "administrator@leipzig"} {
		for _, path := range []string{base, base + "/history", base + "/report", base + "?version=6"} {
			rep := r.call("GET", path, who, nil)
			if rep.status != 200 && !(path == base+"/report" && who == "lead@leipzig" && rep.status == 403) {
				t.Fatalf("%s GET %s: %d %s", who, path, rep.status, rep.raw)
			}
			absent(who+" GET "+path, rep.raw)
		}
	}
	key := filepath.Join(dir, "seal.key.pub")
	if out, code := cli("audit", "export", "verify", files["json"], "--key", key); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("the JSON export does not verify: exit %d\n%s", code, out)
	}
	b, _ := os.ReadFile(files["json"])
	i := bytes.Index(b, []byte(`"de": "`+"member-user hat die Aufgabe"))
	if i < 0 {
		t.Fatalf("no timeline sentence in the export")
	}
	changed := filepath.Join(dir, "changed.json")
	b = bytes.Clone(b)
	b[i+len(`"de": "`)] = 'M' // "Member-user hat …"
	if err := os.WriteFile(changed, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := cli("audit", "export", "verify", changed, "--key", key); code != exitBroken || !strings.Contains(out, "timeline, row 2") {
		t.Fatalf("a changed export: exit %d, want %d naming the timeline row\n%s", code, exitBroken, out)
	}
	r.stop()
	offline := filepath.Join(dir, "offline.json")
	if out, code := cli("audit", "export", id, "--db", r.db, "--format", "json", "--out", offline); code != 0 {
		t.Fatalf("audit export --db: exit %d\n%s", code, out)
	}
	if out, code := cli("audit", "export", "verify", offline, "--key", key, "--allow-unsealed"); code != 0 {
		t.Fatalf("the offline export does not verify: exit %d\n%s", code, out)
	}
	for _, f := range []string{r.db, r.db + "-wal", offline} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		absent(filepath.Base(f), b)
	}
}
