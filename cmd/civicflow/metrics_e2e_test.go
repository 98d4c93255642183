package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/metrics"
)

// TestE2E_metrics_pass_promtool scrapes /metrics of the real binary after a few commands and
// checks the output with `promtool check metrics` (Debian/Ubuntu: apt-get install prometheus).
// In CI (CI=true) a missing promtool fails the test.
func TestE2E_metrics_pass_promtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("promtool is not on PATH; CI installs it with: apt-get install -y prometheus")
	}
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	opened := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Spielplatz"})
	// Cancelling ends a stage visit, so the stage duration histogram has a series.
	r.must("POST", "/api/v1/processes/"+opened.body["process"].(string)+"/cancel", "lead@leipzig", map[string]any{"reason": "Test"})
	// Metrics follow the log: the stage durations come from the process list, which applies the
	// cancellation a moment after the command was answered. Scrape until they have it.
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(r.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
		}
		if bytes.Contains(body, []byte("\n# TYPE civicflow_stage_duration_seconds ")) || time.Now().After(deadline) {
			break
		}
	}
	for _, name := range append(metrics.Names(), metrics.RouterNames()...) {
		if !bytes.Contains(body, []byte("\n# TYPE "+name+" ")) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if !bytes.Contains(body, []byte(`civicflow_router_handler_execution_time_seconds_count{handler_name="processlist",success="true"}`)) {
		t.Errorf("/metrics has no executions of the router's processlist handler:\n%s", body)
	}
	if id := opened.body["process"].(string); bytes.Contains(body, []byte(id)) {
		t.Errorf("/metrics names the process %s", id)
	}
	if !bytes.Contains(body, []byte(`civicflow_commands_total{command="open",result="ok"} 1`)) {
		t.Errorf("/metrics does not count the open command:\n%s", body)
	}
	if promtool == "" {
		t.Skip("promtool not on PATH, `promtool check metrics` skipped (install: apt-get install prometheus)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
