package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestE2E_a_restart_restores_the_process_list_from_its_snapshot: after a clean stop the server
// starts from the list's snapshot (it logs so) and lists the same processes; after a SIGKILL with
// commands since the last snapshot it applies the rest of the log and lists those too.
func TestE2E_a_restart_restores_the_process_list_from_its_snapshot(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	r.token("leipzig", "anna", "lead")
	open := func(title string) {
		r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": title})
	}
	listed := func() []string {
		var page struct {
			Items []struct {
				Title string `json:"title"`
				Stage string `json:"stage"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.must("GET", "/api/v1/processes?limit=500", "lead@leipzig", nil).raw, &page); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range page.Items {
			out = append(out, it.Title+"/"+it.Stage)
		}
		slices.Sort(out)
		return out
	}
	for i := range 5 {
		open(fmt.Sprint("Vor dem Neustart ", i))
	}
	before := listed()
	r.stop()
	mark := len(r.logs.String())
	r.restartSame()
	if logs := r.logs.String()[mark:]; !strings.Contains(logs, "process list restored from its snapshot") || !strings.Contains(logs, "processes=5") {
		t.Fatalf("the start did not restore the list's snapshot:\n%s", logs)
	}
	if got := listed(); !slices.Equal(got, before) {
		t.Fatalf("after a clean restart the list is %v, want %v", got, before)
	}
	open("Nach dem letzten Schnappschuss")
	want := listed()
	r.cmd.Process.Kill()
	r.cmd.Wait()
	mark = len(r.logs.String())
	r.restartSame()
	// The opening after the last snapshot is applied straight from the log at start.
	if logs := r.logs.String()[mark:]; !strings.Contains(logs, "process list applied the log after its snapshot") || !strings.Contains(logs, "events=1 ") {
		t.Fatalf("the start did not apply the log after the list's snapshot:\n%s", logs)
	}
	if got := listed(); !slices.Equal(got, want) {
		t.Fatalf("after a SIGKILL the list is %v, want %v", got, want)
	}
}
