package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/workflows/seal"
)

func TestAuditHeads_serves_the_heads_file_to_auditors_and_administrators(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.open("leipzig", "Versiegelt")
	if r := s.call("GET", "/api/v1/audit/heads", "auditor@leipzig", nil); r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("before the first seal: %d %q, want 200 and nothing", r.status, r.body)
	}
	for range 2 {
		if _, _, err := s.sealer.Seal(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.open("menden", "Noch eins")
	}
	tests := []struct {
		who    string
		status int
	}{
		{"auditor@leipzig", http.StatusOK},
		{"auditor@menden", http.StatusOK},
		{"administrator@leipzig", http.StatusOK},
		{"administrator@*", http.StatusOK},
		{"lead@leipzig", http.StatusForbidden},
		{"member@menden", http.StatusForbidden},
		{"viewer@leipzig", http.StatusForbidden},
		{"", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.who, "@", "_of_")+"_gets_"+http.StatusText(tc.status), func(t *testing.T) {
			r := s.call("GET", "/api/v1/audit/heads", tc.who, nil)
			if r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.status != http.StatusOK {
				return
			}
			heads, err := headsfile.Parse(r.body)
			if err != nil || len(heads) != 2 || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("%d heads, %v, %s:\n%s", len(heads), err, r.header.Get("Content-Type"), r.body)
			}
			if _, err := seal.Verify(context.Background(), seal.VerifyConfig{Store: s.store, Heads: heads, Key: s.key}); err != nil {
				t.Fatalf("the served heads do not verify the log: %v", err)
			}
		})
	}
}
