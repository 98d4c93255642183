package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/workflows/auditlog"
	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

// accesses returns the audit.accessed events of a tenant.
func (s *server) accesses(tenant string) []auditlog.Accessed {
	s.t.Helper()
	return auditlogtest.Accesses(s.t, s.store, tenant)
}

// rawAccesses returns the JSON of the audit.accessed events of a tenant, as stored.
func (s *server) rawAccesses(tenant string) []string {
	s.t.Helper()
	events, err := s.store.ReadStream(context.Background(), auditlog.Stream(tenant), eventstore.ReadStreamOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = string(ev.Data)
	}
	return out
}

// auditedRead is one successful read by an auditor and the record it must leave.
type auditedRead struct {
	name, route, method, path string
	// recorded path, query and process
	wantPath, wantQuery, wantProcess string
}

// auditedReads are reads an auditor of Leipzig may make, one or more per route an auditor can
// read; id is a Leipzig process with a participant.
func auditedReads(id string) []auditedRead {
	base := "/api/v1/processes/" + id
	tpl := "/api/v1/templates/beteiligung-standard"
	return []auditedRead{
		{"template list", "GET /api/v1/templates", "GET", "/api/v1/templates", "/api/v1/templates", "", ""},
		{"template", "GET /api/v1/templates/{id}", "GET", tpl, tpl, "", ""},
		{"template version", "GET /api/v1/templates/{id}/versions/{version}", "GET", tpl + "/versions/1", tpl + "/versions/1", "", ""},
		{"process list with filters", "GET /api/v1/processes", "GET", "/api/v1/processes?stage=tender&limit=5&access_token=geheim",
			"/api/v1/processes", "limit=5&stage=tender", ""},
		{"process", "GET /api/v1/processes/{id}", "GET", base, base, "", id},
		{"past state by version", "GET /api/v1/processes/{id}", "GET", base + "?version=1", base, "version=1", id},
		{"past state at an instant", "GET /api/v1/processes/{id}", "GET", base + "?at=2025-03-03T09:00:00Z", base, "at=2025-03-03T09%3A00%3A00Z", id},
		{"history filtered", "GET /api/v1/processes/{id}/history", "GET", base + "/history?type=process.opened&actor=lead-leipzig&access_token=geheim",
			base + "/history", "type=process.opened", id},
		{"report", "GET /api/v1/processes/{id}/report", "GET", base + "/report", base + "/report", "", id},
		{"signed heads", "GET /api/v1/audit/heads", "GET", "/api/v1/audit/heads", "/api/v1/audit/heads", "", ""},
		{"verification", "POST /api/v1/processes/{id}/verify", "POST", base + "/verify", base + "/verify", "", id},
		{"overview", "GET /api/v1/overview", "GET", "/api/v1/overview?tenant=leipzig&access_token=geheim", "/api/v1/overview", "tenant=leipzig", ""},
		{"stage statistics", "GET /api/v1/stats/stages", "GET", "/api/v1/stats/stages?template=beteiligung-standard",
			"/api/v1/stats/stages", "template=beteiligung-standard", ""},
		{"participation of the tenant", "GET /api/v1/participation", "GET", "/api/v1/participation", "/api/v1/participation", "", ""},
		{"participation of a process", "GET /api/v1/participation", "GET", "/api/v1/participation?process=" + id, "/api/v1/participation", "process=" + id, id},
		{"measures of a process", "GET /api/v1/measures", "GET", "/api/v1/measures?process=" + id, "/api/v1/measures", "process=" + id, id},
		{"timeline", "GET /api/v1/processes/{id}/timeline", "GET", base + "/timeline?limit=5&newest=true", base + "/timeline", "limit=5&newest=true", id},
		{"calendar feed", "GET /api/v1/calendar.ics", "GET", "/api/v1/calendar.ics", "/api/v1/calendar.ics", "", ""},
		{"dead letters", "GET /api/v1/notifications/dead-letters", "GET", "/api/v1/notifications/dead-letters", "/api/v1/notifications/dead-letters", "", ""},
	}
}

// withParticipant opens a Leipzig process with a participant whose name and e-mail no audit
// record may hold.
func withParticipant(s *server) string {
	s.t.Helper()
	id := s.open("leipzig", "Geprüft")
	r := s.call("POST", "/api/v1/processes/"+id+"/register_participant", "member@leipzig",
		map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	if r.status != http.StatusOK {
		s.t.Fatalf("register participant: %d %s", r.status, r.body)
	}
	return id
}

func TestAPI_records_each_successful_read_by_an_auditor_exactly_once(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := withParticipant(s)
	reads := append(append(auditedReads(id), programmeReads(s)...), collabReads(s)...)
	for _, rd := range reads {
		t.Run(rd.name, func(t *testing.T) {
			before := len(s.accesses("leipzig"))
			if r := s.call(rd.method, rd.path, "auditor@leipzig", nil); r.status != http.StatusOK {
				t.Fatalf("auditor %s %s: %d %s", rd.method, rd.path, r.status, r.body)
			}
			got := s.accesses("leipzig")
			if len(got) != before+1 {
				t.Fatalf("%d records after one read, want %d: %+v", len(got), before+1, got[before:])
			}
			a := got[before]
			if a.User != "auditor-leipzig" || a.Path != rd.wantPath || a.Query != rd.wantQuery || a.Process != rd.wantProcess || !a.At.Equal(s.clock()) {
				t.Fatalf("recorded %+v, want path %s query %q process %q", a, rd.wantPath, rd.wantQuery, rd.wantProcess)
			}
			// An answered read has no status; only a POST (a verification) names its method. An
			// answered GET is recorded as before those fields existed: neither is in its JSON.
			if wantMethod := strings.TrimPrefix(rd.method, "GET"); a.Method != wantMethod || a.Status != 0 {
				t.Fatalf("recorded method %q status %d, want method %q and no status", a.Method, a.Status, wantMethod)
			}
			raw := s.rawAccesses("leipzig")
			if last := raw[len(raw)-1]; rd.method == "GET" && (strings.Contains(last, `"method"`) || strings.Contains(last, `"status"`)) {
				t.Fatalf("an answered GET recorded as %s", last)
			}
		})
	}
	t.Run("every route an auditor reads is in the table", func(t *testing.T) {
		for _, rt := range httpapi.Routes() {
			if !strings.HasPrefix(rt, "GET /api/v1/") || rt == "GET /api/v1/opendata/{tenant}" { // open data is read without a token: nobody to record
				continue
			}
			if !slices.ContainsFunc(reads, func(rd auditedRead) bool { return rd.route == rt }) {
				t.Errorf("%s: no audited read in the table", rt)
			}
		}
	})
	t.Run("no record holds a token or personal data", func(t *testing.T) {
		raw, _ := json.Marshal(s.accesses("leipzig"))
		for _, secret := range []string{"geheim", "Erika", "erika@example.org", "lead-leipzig", s.tokens["auditor@leipzig"]} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("an audit record holds %q: %s", secret, raw)
			}
		}
	})
}

func TestAPI_refuses_an_auditor_with_503_and_no_data_when_the_read_cannot_be_recorded(t *testing.T) {
	t.Parallel()
	s := newServerWith(t, auditlogtest.Refusing)
	id := withParticipant(s)
	for _, rd := range auditedReads(id) {
		t.Run(rd.name, func(t *testing.T) {
			r := s.call(rd.method, rd.path, "auditor@leipzig", nil)
			if r.status != http.StatusServiceUnavailable || code(t, r) != "audit_record_failed" {
				t.Fatalf("%d %s, want 503 audit_record_failed", r.status, r.body)
			}
			if r.header.Get("ETag") != "" || r.header.Get("Content-Disposition") != "" {
				t.Fatalf("headers of the refused answer leak through: %v", r.header)
			}
			for _, data := range []string{id, "Geprüft", "Erika", "beteiligung-standard", "Ausschreibung", "process.opened"} {
				if strings.Contains(string(r.body), data) {
					t.Fatalf("the refusal holds %q: %s", data, r.body)
				}
			}
			if r := s.call(rd.method, rd.path, "administrator@leipzig", nil); r.status != http.StatusOK {
				t.Fatalf("administrator's read: %d %s", r.status, r.body)
			}
		})
	}
}
