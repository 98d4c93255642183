package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestE2E_programme_list_show_and_a_verified_report(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	dir := filepath.Dir(r.db)
	env := append(os.Environ(), "CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key"))
	r.token("ews", "kora", "coordinator")
	r.token("leipzig", "anna", "lead")
	r.token("menden", "emil", "lead")
	prog := r.must("POST", "/api/v1/programmes", "coordinator@ews", map[string]any{"title": "EWS Runde 3", "coordinator": "Landesnetzwerk",
		"start": "2025-01-01T00:00:00Z", "end": "2035-12-31T00:00:00Z", "max_sites": 10}).body["programme"].(string)
	proc := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "ews-engagementstrategie", "title": "EWS Leipzig"}).body["process"].(string)
	base := "/api/v1/programmes/" + prog
	r.must("POST", base+"/join", "lead@leipzig", map[string]any{"process": proc, "site": "Leipzig"})
	r.must("POST", base+"/schedule_session", "coordinator@ews", map[string]any{"session": "fachtagung", "title": "Fachtagung", "format": "conference",
		"date": "2025-03-03T09:00:00Z", "duration_minutes": 360, "place": "Dortmund"})
	r.must("POST", base+"/hold_session", "coordinator@ews", map[string]any{"session": "fachtagung"})
	person := "7f3c1a2e-0000-4000-8000-000000000816"
	r.must("POST", base+"/record_attendance", "lead@leipzig", map[string]any{"session": "fachtagung", "persons": []string{person}})
	r.must("POST", base+"/give_feedback", "lead@leipzig", map[string]any{"session": "fachtagung", "person": person,
		"ratings": map[string]int{"nutzen": 4}, "text": "Vertraulich: Hildegard fand es zu lang"})
	cli := func(args ...string) (string, int) {
		t.Helper()
		c := exec.Command(r.bin, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		return string(out), 0
	}
	as := func(who string) []string { return []string{"--server", r.url, "--token", r.tokens[who]} }
	if out, code := cli(append([]string{"programme", "list"}, as("coordinator@ews")...)...); code != 0 || !strings.Contains(out, prog) || !strings.Contains(out, "1/10") {
		t.Fatalf("programme list: exit %d\n%s", code, out)
	}
	if out, code := cli(append([]string{"programme", "list"}, as("lead@menden")...)...); code != 0 || strings.Contains(out, prog) {
		t.Fatalf("menden lists the programme: exit %d\n%s", code, out)
	}
	out, code := cli(append([]string{"programme", "show", prog}, as("coordinator@ews")...)...)
	for _, want := range []string{"EWS Runde 3", "Leipzig", "fachtagung", "1 Rückmeldungen / 1 responses; nutzen 4.00 (1)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("programme show lacks %q: exit %d\n%s", want, code, out)
		}
	}
	if strings.Contains(out, "Hildegard") || strings.Contains(out, person) {
		t.Fatalf("programme show gives personal data:\n%s", out)
	}
	if out, code := cli(append([]string{"programme", "show", prog}, as("lead@menden")...)...); code != 1 {
		t.Fatalf("menden shows the programme: exit %d\n%s", code, out)
	}
	if out, code := cli("audit", "seal", "--db", r.db); code != 0 {
		t.Fatalf("audit seal: exit %d\n%s", code, out)
	}
	file := filepath.Join(dir, "runde3.json")
	key := filepath.Join(dir, "seal.key.pub")
	out, code = cli(append([]string{"programme", "report", prog, "--format", "json", "--out", file, "--verify", "--key", key}, as("coordinator@ews")...)...)
	if code != 0 || !strings.Contains(out, "OK: EWS Runde 3") || strings.Contains(out, "nicht geprüft") {
		t.Fatalf("programme report --verify: exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(file)
	if err != nil || strings.Contains(string(b), "Hildegard") || strings.Contains(string(b), person) {
		t.Fatalf("the report holds personal data or a person ID (%v)", err)
	}
	if out, code := cli("programme", "report", "verify", file, "--key", key); code != 0 || !strings.Contains(out, "OK: EWS Runde 3") {
		t.Fatalf("programme report verify: exit %d\n%s", code, out)
	}
	html := filepath.Join(dir, "runde3.html")
	if out, code := cli(append([]string{"programme", "report", prog, "--out", html}, as("coordinator@ews")...)...); code != 0 {
		t.Fatalf("programme report --format html: exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(html); !strings.Contains(string(b), "<html") || !strings.Contains(string(b), "EWS Runde 3") {
		t.Fatalf("the html report:\n%.300s", b)
	}
	t.Run("a_changed_timeline_fails_with_exit_3", func(t *testing.T) {
		bad := filepath.Join(dir, "changed.json")
		if err := os.WriteFile(bad, []byte(strings.Replace(string(b), "geplant für 2025-03-03", "geplant für 2025-03-04", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "geplant für 2025-03-03") {
			t.Fatal("the report does not tell the scheduling")
		}
		if out, code := cli("programme", "report", "verify", bad, "--key", key); code != 3 || !strings.Contains(out, "BROKEN") {
			t.Fatalf("changed report: exit %d\n%s", code, out)
		}
	})
	if out, code := cli(append([]string{"programme", "report", prog}, as("lead@leipzig")...)...); code != 1 {
		t.Fatalf("a member site reads the report: exit %d\n%s", code, out)
	}
}
