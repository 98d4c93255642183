package main

import (
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestE2E_past_states_and_the_erased_history_through_the_real_binary runs the server on the wall
// clock, where the store records each event a little after the engine decided it, and checks
// through the API and the CLI: every time the process view, the process list and the history
// show is a valid ?at for the state it describes; a version beyond the current one is refused
// naming the current version, version with at is refused naming both; the history says an erased
// person's data was erased and no longer carries it.
func TestE2E_past_states_and_the_erased_history_through_the_real_binary(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	for _, role := range []string{"lead", "member", "administrator", "auditor"} {
		r.token("leipzig", role+"-user", role)
	}
	id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Quartiersplatz"}).body["process"].(string)
	base := "/api/v1/processes/" + id
	for _, task := range []string{"define_subject", "choose_facilitation", "publish_call", "select_team"} {
		r.must("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": task, "evidence": "Vermerk"})
	}
	person := "0190a000-0000-7000-8000-000000004711"
	r.must("POST", base+"/register_participant", "member@leipzig", map[string]any{"participant": "t1", "person": person, "group": "citizens", "name": "Hildegard Kranichfeld"})
	view := r.must("GET", base, "auditor@leipzig", nil).body
	current := int(view["version"].(float64))
	times := map[string]string{"opened_at": view["opened_at"].(string), "stage_entered_at": view["stage_entered_at"].(string)}
	for _, v := range view["timeline"].([]any) {
		visit := v.(map[string]any)
		times["entered "+visit["stage"].(string)] = visit["entered"].(string)
	}
	for _, it := range r.must("GET", "/api/v1/processes", "auditor@leipzig", nil).body["items"].([]any) {
		if item := it.(map[string]any); item["id"] == id {
			times["list opened_at"], times["list stage_entered_at"] = item["opened_at"].(string), item["stage_entered_at"].(string)
		}
	}
	if len(times) < 5 {
		t.Fatalf("the process list does not show the process: %v", times)
	}
	for what, at := range times {
		past := r.call("GET", base+"?at="+url.QueryEscape(at), "auditor@leipzig", nil)
		if past.status != 200 {
			t.Fatalf("?at=%s (%s): %d %s", at, what, past.status, past.raw)
		}
		if strings.HasSuffix(what, "stage_entered_at") && past.body["stage"] != view["stage"] || strings.HasPrefix(what, "entered ") && past.body["stage"] != strings.TrimPrefix(what, "entered ") {
			t.Fatalf("?at=%s (%s): in stage %v", at, what, past.body["stage"])
		}
	}
	for _, it := range r.must("GET", base+"/history", "auditor@leipzig", nil).body["items"].([]any) {
		ev := it.(map[string]any)
		past := r.call("GET", base+"?at="+url.QueryEscape(ev["recorded_at"].(string)), "auditor@leipzig", nil)
		if past.status != 200 || past.body["version"] != ev["version"] {
			t.Fatalf("?at= the recorded time of version %v: %d, version %v", ev["version"], past.status, past.body["version"])
		}
	}
	r.must("POST", "/api/v1/persons/"+person+"/erase", "administrator@leipzig", nil)
	cli := func(args ...string) (string, int) {
		c := exec.Command(r.bin, append(args, "--server", r.url, "--token", r.tokens["auditor@leipzig"])...)
		out, err := c.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		return string(out), 0
	}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, args := range [][]string{{"process", "show", id, "--version", "99"}, {"audit", "state", id, "--version", "99"}} {
		out, code := cli(args...)
		if code != exitFailure || !strings.Contains(out, "version_not_found") || !strings.Contains(out, "version "+strconv.Itoa(current)) {
			t.Fatalf("%v: exit %d, want %d naming the current version %d\n%s", args, code, exitFailure, current, out)
		}
	}
	if out, code := cli("process", "show", id, "--version", "1", "--at", now); code != exitFailure || !strings.Contains(out, "(at, version)") {
		t.Fatalf("process show --version --at: exit %d\n%s", code, out)
	}
	out, code := cli("audit", "history", id)
	if code != 0 || !strings.Contains(out, "name=gelöscht am ") || !strings.Contains(out, "erased on ") {
		t.Fatalf("audit history after the erasure: exit %d\n%s", code, out)
	}
	if raw := r.call("GET", base+"/history", "auditor@leipzig", nil).raw; strings.Contains(string(raw), `"ct"`) {
		t.Fatalf("the history still carries the erased person's ciphertext: %s", raw)
	}
}
