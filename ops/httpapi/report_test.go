package httpapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/workflows/report"
)

func TestAPI_report_is_verifiable_without_erased_data_and_its_reads_by_auditors_are_recorded(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Prüfbericht")
	base := "/api/v1/processes/" + id
	person := s.register(base, map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	s.advance(48 * time.Hour)
	if r := s.call("POST", "/api/v1/persons/"+person+"/erase", "administrator@leipzig", nil); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	if _, _, err := s.sealer.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"auditor@leipzig", "administrator@leipzig", "administrator@*"} {
		r := s.call("GET", base+"/report", who, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", who, r.status, r.body)
		}
		for _, secret := range []string{"Erika", "Mustermann", "erika@example.org"} {
			if strings.Contains(string(r.body), secret) {
				t.Fatalf("%s's report holds %q", who, secret)
			}
		}
		rep, err := report.ReadJSON(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if v := report.Verify(rep, s.key); !v.OK || v.Unsealed != 0 || !rep.Verification.OK {
			t.Fatalf("%s's report: verified offline %+v, by the server %+v", who, v, rep.Verification)
		}
		if len(rep.Erasures) != 1 || !strings.Contains(rep.Erasures[0].Notice, "erased on 2025-03-05 by administrator (Art. 17 GDPR)") {
			t.Fatalf("erasures %+v", rep.Erasures)
		}
	}
	got := s.accesses("leipzig")
	if len(got) != 1 || got[0].Path != base+"/report" || got[0].Process != id {
		t.Fatalf("audit accesses %+v, want the auditor's report", got)
	}
	if r := s.call("GET", "/api/v1/processes/00000000-0000-0000-0000-000000000000/report", "auditor@leipzig", nil); r.status != 404 {
		t.Fatalf("a missing process: %d", r.status)
	}
}
