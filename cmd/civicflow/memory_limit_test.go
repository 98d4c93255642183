package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// serve sets Go's soft memory limit from server.memory_limit (auto: 64 MiB + 2 KiB per process in
// the list), logs it at start and shows it in /metrics (go_gc_gomemlimit_bytes); an explicit
// GOMEMLIMIT wins.
func TestServe_sets_the_memory_limit_and_shows_it(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     []string
		log     string
		limitMB string // go_gc_gomemlimit_bytes as /metrics writes it
	}{
		{"auto_by_default", nil, "source=server.memory_limit memory_limit=auto processes=0 limit_mib=64", "6.7108864e+07"},
		{"a_configured_size", []string{"CIVICFLOW_SERVER_MEMORY_LIMIT=200MiB"}, "source=server.memory_limit memory_limit=200MiB processes=0 limit_mib=200", "2.097152e+08"},
		{"off", []string{"CIVICFLOW_SERVER_MEMORY_LIMIT=off"}, "source=server.memory_limit memory_limit=off processes=0 limit_mib=-1", "9.223372036854776e+18"},
		{"gomemlimit_wins", []string{"GOMEMLIMIT=100MiB", "CIVICFLOW_SERVER_MEMORY_LIMIT=200MiB"}, "source=GOMEMLIMIT GOMEMLIMIT=100MiB limit_mib=100", "1.048576e+08"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := startServerEnv(t, c.env)
			if logs := r.logs.String(); !strings.Contains(logs, "msg=\"memory limit\" "+c.log) {
				t.Errorf("no log line %q in:\n%s", c.log, logs)
			}
			resp, err := http.Get(r.url + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if want := "\ngo_gc_gomemlimit_bytes " + c.limitMB + "\n"; !strings.Contains(string(body), want) {
				t.Errorf("/metrics has no %q", strings.TrimSpace(want))
			}
		})
	}
}
