package auditgate_test

import (
	"testing"

	"github.com/civicflow/civicflow/ops/auditgate"
)

func TestProcessInPath(t *testing.T) {
	const id = "0190a000-0000-7000-8000-0000000000ff"
	tests := []struct{ path, prefix, want string }{
		{"/api/v1/processes/" + id, "/api/v1/processes/", id},
		{"/api/v1/processes/" + id + "/history", "/api/v1/processes/", id},
		{"/processes/" + id + "/advance", "/processes/", id},
		{"/processes/" + id, "/api/v1/processes/", ""},
		{"/api/v1/processes/not-a-uuid/history", "/api/v1/processes/", ""},
		{"/api/v1/processes/", "/api/v1/processes/", ""},
		{"/api/v1/templates/x", "/api/v1/processes/", ""},
	}
	for _, tc := range tests {
		if got := auditgate.ProcessInPath(tc.path, tc.prefix); got != tc.want {
			t.Errorf("ProcessInPath(%q, %q) = %q, want %q", tc.path, tc.prefix, got, tc.want)
		}
	}
}
