package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

// auditedRefusal is a request an auditor is refused and the record it must leave.
type auditedRefusal struct {
	name, method, path, who string
	body                    any
	headers                 []string
	wantStatus              int
	// the tenant whose stream holds the record, and its query and process
	wantTenant, wantQuery, wantProcess string
}

// auditedRefusals are refusals an auditor meets: id is a Leipzig process, other is a process ID
// nobody has, elsewhere a Menden process.
func auditedRefusals(id, other, elsewhere string) []auditedRefusal {
	base := "/api/v1/processes/" + id
	reason := map[string]any{"reason": "Prüfung"}
	return []auditedRefusal{
		{"a lifecycle command", "POST", base + "/suspend", "auditor@leipzig", reason, nil, 403, "leipzig", "", id},
		{"a command with a stale If-Match", "POST", base + "/suspend", "auditor@leipzig", reason, []string{"If-Match", `"1"`}, 412, "leipzig", "", id},
		{"a command with malformed JSON", "POST", base + "/suspend", "auditor@leipzig", `{"reason":`, nil, 400, "leipzig", "", id},
		{"a command with a body too large", "POST", base + "/suspend", "auditor@leipzig", `{"reason":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "leipzig", "", id},
		{"a command that is not JSON", "POST", base + "/suspend", "auditor@leipzig", "reason=x", []string{"Content-Type", "text/plain"}, 415, "leipzig", "", id},
		{"opening a process", "POST", "/api/v1/processes", "auditor@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Prüfung"}, nil, 403, "leipzig", "", ""},
		{"publishing a template", "POST", "/api/v1/templates", "auditor@leipzig", map[string]any{"id": "geheim"}, nil, 403, "leipzig", "", ""},
		{"retiring a template", "POST", "/api/v1/templates/beteiligung-standard/versions/1/retire", "auditor@leipzig", reason, nil, 403, "leipzig", "", ""},
		{"erasing a person", "POST", "/api/v1/persons/0195a3c1-8f00-7c1e-9a55-3c1d2a4b5e6f/erase", "auditor@leipzig", nil, nil, 403, "leipzig", "", ""},
		{"verifying the whole store", "POST", "/api/v1/audit/verify", "auditor@leipzig", nil, nil, 403, "leipzig", "", ""},
		{"another tenant's process", "GET", base, "auditor@menden", nil, nil, 404, "menden", "", id},
		{"another tenant's report", "GET", base + "/report", "auditor@menden", nil, nil, 404, "menden", "", id},
		{"another tenant's process verified", "POST", "/api/v1/processes/" + elsewhere + "/verify", "auditor@leipzig", nil, nil, 404, "leipzig", "", elsewhere},
		{"a missing process", "GET", "/api/v1/processes/" + other, "auditor@leipzig", nil, nil, 404, "leipzig", "", other},
		{"a path that is not a UUID", "GET", "/api/v1/processes/not-a-uuid", "auditor@leipzig", nil, nil, 400, "leipzig", "", ""},
		{"a past state at a bad instant", "GET", base + "?at=gestern&access_token=geheim", "auditor@leipzig", nil, nil, 400, "leipzig", "at=gestern", id},
		{"a history from a bad time", "GET", base + "/history?from_time=gestern", "auditor@leipzig", nil, nil, 400, "leipzig", "from_time=gestern", id},
		{"a list with a bad cursor", "GET", "/api/v1/processes?cursor=kaputt", "auditor@leipzig", nil, nil, 400, "leipzig", "cursor=kaputt", ""},
		{"a template version that is no number", "GET", "/api/v1/templates/beteiligung-standard/versions/eins", "auditor@leipzig", nil, nil, 400, "leipzig", "", ""},
		{"another tenant's timeline", "GET", base + "/timeline", "auditor@menden", nil, nil, 404, "menden", "", id},
		{"a timeline with a bad limit", "GET", base + "/timeline?limit=0", "auditor@leipzig", nil, nil, 400, "leipzig", "limit=0", id},
		{"the participation of a process that is not a UUID", "GET", "/api/v1/participation?process=kaputt", "auditor@leipzig", nil, nil, 400, "leipzig", "process=kaputt", ""},
	}
}

// pathOf is the request path of a call without its query.
func pathOf(path string) string { p, _, _ := strings.Cut(path, "?"); return p }

func TestAPI_records_each_refusal_of_an_auditor_exactly_once(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := withParticipant(s)
	other, elsewhere := "01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f", s.open("menden", "Anderswo")
	refusals := append(auditedRefusals(id, other, elsewhere),
		auditedRefusal{"a method the path does not have", "DELETE", "/api/v1/processes/" + id, "auditor@leipzig", nil, nil, 404, "leipzig", "", id},
		auditedRefusal{"an unknown endpoint", "GET", "/api/v1/nowhere?limit=3", "auditor@leipzig", nil, nil, 404, "leipzig", "limit=3", ""})
	for _, rf := range refusals {
		t.Run(rf.name, func(t *testing.T) {
			before, events := len(s.accesses(rf.wantTenant)), s.events()
			r := s.call(rf.method, rf.path, rf.who, rf.body, rf.headers...)
			if r.status != rf.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", rf.method, rf.path, r.status, r.body, rf.wantStatus)
			}
			got := s.accesses(rf.wantTenant)
			if len(got) != before+1 {
				t.Fatalf("%d records after one refusal, want %d: %+v", len(got), before+1, got[before:])
			}
			if n := s.events(); n != events+1 {
				t.Fatalf("%d events written, want only the record", n-events)
			}
			a := got[before]
			wantMethod := strings.TrimPrefix(rf.method, "GET")
			if a.User != "auditor-"+rf.wantTenant || a.Method != wantMethod || a.Status != rf.wantStatus || a.Path != pathOf(rf.path) ||
				a.Query != rf.wantQuery || a.Process != rf.wantProcess || !a.At.Equal(s.clock()) {
				t.Fatalf("recorded %+v, want method %q status %d path %s query %q process %q",
					a, wantMethod, rf.wantStatus, pathOf(rf.path), rf.wantQuery, rf.wantProcess)
			}
		})
	}
}

func TestAPI_records_no_request_by_others_and_none_without_a_valid_token(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := withParticipant(s)
	other, elsewhere := "01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f", s.open("menden", "Anderswo")
	for _, who := range []string{"administrator@leipzig", "lead@leipzig", "member@leipzig", "viewer@leipzig", "administrator@*"} {
		for _, rd := range auditedReads(id) {
			s.call(rd.method, rd.path, who, nil)
		}
		for _, rf := range auditedRefusals(id, other, elsewhere) {
			s.call(rf.method, rf.path, who, rf.body, rf.headers...)
		}
		s.call("GET", "/api/v1/nowhere", who, nil)
	}
	// 401: a token that is not valid (or none) is nobody, auditor or not.
	s.tokens["revoked@leipzig"] = "cf_not-a-token"
	for _, who := range []string{"revoked@leipzig", ""} {
		if r := s.call("GET", "/api/v1/processes/"+id, who, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("GET without a valid token: %d", r.status)
		}
		if r := s.call("POST", "/api/v1/processes/"+id+"/suspend", who, map[string]any{"reason": "x"}); r.status != http.StatusUnauthorized {
			t.Fatalf("POST without a valid token: %d", r.status)
		}
		s.call("GET", "/api/v1/nowhere", who, nil)
	}
	for _, tenant := range []string{"leipzig", "menden", "*"} {
		if got := s.accesses(tenant); len(got) != 0 {
			t.Errorf("audit-%s holds %d records: %+v", tenant, len(got), got)
		}
	}
}

func TestAPI_refuses_an_auditor_with_503_and_no_detail_when_a_refusal_cannot_be_recorded(t *testing.T) {
	t.Parallel()
	s := newServerWith(t, auditlogtest.Refusing)
	id := withParticipant(s)
	other, elsewhere := "01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f", s.open("menden", "Anderswo")
	for _, rf := range auditedRefusals(id, other, elsewhere) {
		t.Run(rf.name, func(t *testing.T) {
			events := s.events()
			r := s.call(rf.method, rf.path, rf.who, rf.body, rf.headers...)
			if r.status != http.StatusServiceUnavailable || code(t, r) != "audit_record_failed" {
				t.Fatalf("%d %s, want 503 audit_record_failed", r.status, r.body)
			}
			if r.header.Get("ETag") != "" {
				t.Fatalf("headers of the refused answer leak through: %v", r.header)
			}
			m := r.json(t)
			if m["field"] != nil || m["rule"] != nil || m["reasons"] != nil || m["current_version"] != nil || m["problems"] != nil {
				t.Fatalf("the refusal's problem detail leaks through: %s", r.body)
			}
			for _, detail := range []string{"forbidden", "not_found", "bad_", "malformed", "too_large", "unknown", "gestern", "kaputt", "geheim", "UUID", "Nicht gefunden", "invalid"} {
				if strings.Contains(string(r.body), detail) {
					t.Fatalf("the 503 holds %q: %s", detail, r.body)
				}
			}
			if n := s.events(); n != events {
				t.Fatalf("%d events written", n-events)
			}
			if r := s.call(rf.method, rf.path, strings.Replace(rf.who, "auditor", "viewer", 1), rf.body, rf.headers...); r.status == http.StatusServiceUnavailable {
				t.Fatalf("a viewer's refusal: %d %s", r.status, r.body)
			}
		})
	}
}

// Paths no route serves, an unknown command among them, are not in the OpenAPI description
// (s.call would refuse their 503), so they are asked for directly.
func TestAPI_refuses_an_auditor_with_503_when_an_unknown_path_cannot_be_recorded(t *testing.T) {
	t.Parallel()
	s := newServerWith(t, auditlogtest.Refusing)
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/nowhere"}, {"DELETE", "/api/v1/processes/01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f"},
		{"POST", "/api/v1/processes/01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f/abolish"}} {
		for who, want := range map[string]int{"auditor@leipzig": http.StatusServiceUnavailable, "viewer@leipzig": http.StatusNotFound} {
			req, _ := http.NewRequest(c.method, s.url+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.tokens[who])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			notFound := strings.Contains(string(body), "no such endpoint") || strings.Contains(string(body), "unknown_command")
			if resp.StatusCode != want || notFound != (want == http.StatusNotFound) {
				t.Errorf("%s %s by %s: %d %s, want %d", c.method, c.path, who, resp.StatusCode, body, want)
			}
		}
	}
}
