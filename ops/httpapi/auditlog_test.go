package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/httpapi"
)

// accesses returns the audit.accessed events of a tenant.
func (s *server) accesses(tenant string) []httpapi.AuditAccessed {
	s.t.Helper()
	events, err := s.store.ReadStream(context.Background(), httpapi.AuditStream(tenant), eventstore.ReadStreamOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []httpapi.AuditAccessed
	for _, ev := range events {
		if ev.Type != httpapi.TypeAuditAccessed {
			s.t.Fatalf("unexpected event %s in %s", ev.Type, ev.Stream)
		}
		var a httpapi.AuditAccessed
		if err := json.Unmarshal(ev.Data, &a); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestAPI_records_every_read_by_an_auditor_and_none_by_a_lead(t *testing.T) {
	s := newServer(t)
	id := s.open("leipzig", "Geprüft")
	base := "/api/v1/processes/" + id
	s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	for _, who := range []string{"lead@leipzig", "member@leipzig", "administrator@leipzig"} {
		for _, path := range []string{base, base + "/history", base + "?version=1"} {
			if r := s.call("GET", path, who, nil); r.status != 200 {
				t.Fatalf("%s GET %s: %d", who, path, r.status)
			}
		}
	}
	if got := s.accesses("leipzig"); len(got) != 0 {
		t.Fatalf("reads by others were recorded as audit accesses: %+v", got)
	}
	paths := []string{base, base + "/history?type=process.opened&access_token=geheim", base + "?version=1"}
	for _, path := range paths {
		if r := s.call("GET", path, "auditor@leipzig", nil); r.status != 200 {
			t.Fatalf("auditor GET %s: %d %s", path, r.status, r.body)
		}
	}
	if r := s.call("GET", "/api/v1/processes", "auditor@leipzig", nil); r.status != 200 {
		t.Fatalf("auditor lists: %d", r.status)
	}
	if r := s.call("GET", base, "auditor@menden", nil); r.status != 404 {
		t.Fatalf("auditor of another tenant: %d", r.status)
	}
	got := s.accesses("leipzig")
	if len(got) != 3 {
		t.Fatalf("%d audit accesses, want 3: %+v", len(got), got)
	}
	want := []struct{ path, query string }{{base, ""}, {base + "/history", "type=process.opened"}, {base, "version=1"}}
	for i, a := range got {
		if a.User != "auditor-leipzig" || a.Process != id || a.Path != want[i].path || a.Query != want[i].query || a.At.IsZero() {
			t.Fatalf("access %d: %+v, want path %s query %q", i, a, want[i].path, want[i].query)
		}
	}
	raw, _ := json.Marshal(got)
	for _, secret := range []string{"geheim", "Erika", "erika@example.org"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("an audit access holds %q: %s", secret, raw)
		}
	}
	if n := len(s.accesses("menden")); n != 0 {
		t.Fatalf("a refused read was recorded in menden: %d", n)
	}
}
