package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// server.debug_addr serves Go's profiles on its loopback address and nothing of them on the API's
// address.
func TestServe_debug_addr_serves_profiles_beside_the_API(t *testing.T) {
	t.Parallel()
	debug := freeAddr(t)
	r := startServerEnv(t, []string{"CIVICFLOW_SERVER_DEBUG_ADDR=" + debug})
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("http://" + debug + "/debug/pprof/cmdline"); code != 200 || !strings.Contains(body, "serve") {
		t.Errorf("cmdline on the debug address = %d %q, want 200 naming serve", code, body)
	}
	if code, body := get("http://" + debug + "/debug/pprof/mutex?debug=1"); code != 200 || !strings.Contains(body, "--- mutex:") {
		t.Errorf("mutex profile = %d %.80q, want 200 with a mutex profile", code, body)
	}
	if code, _ := get(r.url + "/debug/pprof/cmdline"); code == 200 {
		t.Errorf("the API's address serves the profiles too")
	}
}
