package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/civicflow/civicflow/ops/httpapi"
)

func TestOpenAPI_is_valid_and_matches_the_routes_both_ways(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %s, want 3.1", doc.OpenAPI)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	served := httpapi.Routes()
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("documented routes %v\nserved routes %v", documented, served)
	}
	for _, name := range httpapi.Commands() {
		item := doc.Paths.Value("/api/v1/processes/{id}/" + name)
		if item == nil || item.Post == nil || item.Post.RequestBody == nil {
			t.Errorf("command %s has no operation of its own with a request body", name)
		}
	}
}

func TestAPI_runs_a_process_with_etags_idempotency_history_and_past_states(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz Lindenauer Markt")
	base := "/api/v1/processes/" + id
	r := s.call("GET", base, "member@leipzig", nil)
	if r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("show: %d ETag %s", r.status, r.header.Get("ETag"))
	}
	r = s.call("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": "define_subject", "evidence": "Vermerk vom 3. März"}, "If-Match", `"1"`, "Idempotency-Key", "k-1")
	if r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("complete task: %d %s", r.status, r.body)
	}
	again := s.call("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": "define_subject", "evidence": "Vermerk vom 3. März"}, "Idempotency-Key", "k-1")
	if again.status != 200 || again.json(t)["duplicate"] != true || again.json(t)["version"] != float64(2) {
		t.Fatalf("idempotent retry: %d %s", again.status, again.body)
	}
	stale := s.call("POST", base+"/suspend", "lead@leipzig", map[string]any{"reason": "Haushaltssperre"}, "If-Match", `"1"`)
	if stale.status != 412 || code(t, stale) != "version_mismatch" || stale.json(t)["current_version"] != float64(2) || stale.header.Get("ETag") != `"2"` {
		t.Fatalf("stale If-Match: %d %s", stale.status, stale.body)
	}
	refused := s.call("POST", base+"/advance", "lead@leipzig", map[string]any{})
	if refused.status != 422 || code(t, refused) != "refused" || refused.json(t)["rule"] != "gates_not_met" || len(refused.json(t)["reasons"].([]any)) < 4 {
		t.Fatalf("advance with open tasks: %d %s", refused.status, refused.body)
	}
	s.advance(24 * time.Hour)
	s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
	h := s.call("GET", base+"/history?limit=2", "auditor@leipzig", nil)
	items := h.json(t)["items"].([]any)
	if h.status != 200 || len(items) != 2 || h.json(t)["next"] != float64(3) {
		t.Fatalf("history page: %d %s", h.status, h.body)
	}
	past := s.call("GET", base+"?version=1", "auditor@leipzig", nil)
	if past.status != 200 || past.json(t)["version"] != float64(1) || past.json(t)["as_of"] == nil {
		t.Fatalf("state at version 1: %d %s", past.status, past.body)
	}
	before := s.call("GET", base+"?at=2025-03-03T12:00:00%2B01:00", "auditor@leipzig", nil)
	if before.status != 200 || len(before.json(t)["participants"].([]any)) != 0 || before.json(t)["version"] != float64(2) {
		t.Fatalf("state at an instant before the registration: %d %s", before.status, before.body)
	}
	viewer := s.call("GET", base, "viewer@leipzig", nil).json(t)
	if p := viewer["participants"].([]any)[0].(map[string]any); p["name"] != nil {
		t.Fatalf("a viewer sees personal data: %v", p)
	}
	lead := s.call("GET", base, "lead@leipzig", nil).json(t)
	if p := lead["participants"].([]any)[0].(map[string]any); p["name"] != "Erika Mustermann" {
		t.Fatalf("the lead does not see the participant's name: %v", p)
	}
	list := s.call("GET", "/api/v1/processes?stage=tender", "viewer@leipzig", nil)
	if list.status != 200 || len(list.json(t)["items"].([]any)) != 1 {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
}

func TestAPI_concurrent_commands_with_the_same_If_Match_let_exactly_one_win(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Radweg Süd")
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := s.call("POST", "/api/v1/processes/"+id+"/suspend", "lead@leipzig", map[string]any{"reason": fmt.Sprint("Grund ", i)}, "If-Match", `"1"`)
			statuses[i] = r.status
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case 200:
			won++
		case 412:
		default:
			t.Fatalf("status %d, want 200 or 412", st)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent commands with If-Match \"1\" won, want exactly 1 (%v)", won, n, statuses)
	}
}

func TestAPI_bad_input_gets_the_right_problem_and_writes_nothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Radweg Süd")
	base := "/api/v1/processes/" + id
	cases := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, field              string
	}{
		{"malformed_json", "POST", base + "/complete_task", `{"task": "define_subject",`, nil, 400, "malformed_json", ""},
		{"wrong_type", "POST", base + "/hold_session", `{"session": "s1", "attendance": "viele"}`, nil, 400, "wrong_type", "attendance"},
		{"unknown_field", "POST", base + "/complete_task", `{"task": "define_subject", "evidence": "x", "colour": "blue"}`, nil, 400, "unknown_field", "colour"},
		{"trailing_data", "POST", base + "/suspend", `{"reason": "x"} {}`, nil, 400, "malformed_json", ""},
		{"empty_body", "POST", base + "/suspend", ``, []string{"Content-Type", "application/json"}, 400, "malformed_json", ""},
		{"oversize_body", "POST", base + "/suspend", `{"reason": "` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "body_too_large", ""},
		{"bad_uuid", "POST", "/api/v1/processes/not-a-uuid/suspend", `{"reason": "x"}`, nil, 400, "bad_uuid", "id"},
		{"bad_date_in_body", "POST", base + "/schedule_session", `{"title": "Werkstatt", "format": "workshop", "date": "nächsten Dienstag", "place": "Rathaus"}`, nil, 400, "bad_date", ""},
		{"bad_date_in_query", "GET", base + "?at=gestern", "", nil, 400, "bad_date", "at"},
		{"wrong_content_type", "POST", base + "/suspend", `reason=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"bad_if_match", "POST", base + "/suspend", `{"reason": "x"}`, []string{"If-Match", "yesterday"}, 400, "bad_header", "If-Match"},
		{"invalid_field_value", "POST", base + "/complete_task", `{"task": "no_such_task", "evidence": "x"}`, nil, 422, "invalid_input", "task"},
		{"unknown_command", "POST", base + "/explode", `{}`, nil, 404, "unknown_command", ""},
		{"no_token", "GET", base, "", []string{"Authorization", ""}, 401, "unauthenticated", ""},
		{"bad_token", "GET", base, "", []string{"Authorization", "Bearer cf_nope_nope"}, 401, "unauthenticated", ""},
		{"bad_limit", "GET", "/api/v1/processes?limit=0", "", nil, 400, "bad_query", "limit"},
		{"bad_cursor", "GET", "/api/v1/processes?cursor=%21%21", "", nil, 400, "bad_query", "cursor"},
		{"bad_process_filter", "GET", "/api/v1/participation?process=kaputt", "", nil, 400, "bad_uuid", "process"},
		{"bad_process_filter_of_measures", "GET", "/api/v1/measures?process=1234", "", nil, 400, "bad_uuid", "process"},
		{"timeline_limit_too_big", "GET", base + "/timeline?limit=1001", "", nil, 400, "bad_query", "limit"},
		{"timeline_limit_no_number", "GET", base + "/timeline?limit=viele", "", nil, 400, "bad_query", "limit"},
		{"timeline_newest_not_a_boolean", "GET", base + "/timeline?newest=ja", "", nil, 400, "bad_query", "newest"},
		{"timeline_bad_uuid", "GET", "/api/v1/processes/not-a-uuid/timeline", "", nil, 400, "bad_uuid", "id"},
		{"template_not_yaml", "POST", "/api/v1/templates", `id: [unclosed`, []string{"Content-Type", "application/yaml"}, 400, "malformed_template", ""},
		{"template_gate_typo", "POST", "/api/v1/templates", "id: typo\ntitle: {de: T, en: T}\nstages:\n  - key: a\n    title: {de: A, en: A}\n    gates:\n      - {key: g, title: {de: G, en: G}, expr: 'participants.cout > 1'}\n", []string{"Content-Type", "application/yaml"}, 422, "invalid_template", "stages[0].gates[0].expr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.events()
			who := "administrator@leipzig"
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := s.call(tc.method, tc.path, who, body, tc.headers...)
			if r.status != tc.status || code(t, r) != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if tc.field != "" && r.json(t)["field"] != tc.field {
				t.Fatalf("field %v, want %s", r.json(t)["field"], tc.field)
			}
			if after := s.events(); after != before {
				t.Fatalf("bad input wrote %d events", after-before)
			}
		})
	}
}

// TestAPI_roles_and_tenants checks every route for every role, in its own tenant and another.
func TestAPI_roles_and_tenants(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	roles := []string{"administrator", "lead", "member", "auditor", "viewer", "coordinator"}
	type check struct {
		route  string
		call   func(who, id string) reply
		expect func(role string, own bool) int
		// shows, when set, says whether a 200 answer shows the Leipzig process id: it must for
		// Leipzig's users and must not for Menden's, who get an empty answer instead of 403.
		shows func(t *testing.T, r reply, id string) bool
	}
	cmd := func(name string, body map[string]any) func(who, id string) reply {
		return func(who, id string) reply {
			return s.call("POST", "/api/v1/processes/"+id+"/"+name, who, body)
		}
	}
	readAll := func(role string, own bool) int {
		if !own {
			return 404
		}
		return 200
	}
	byRoles := func(ok ...string) func(role string, own bool) int {
		return func(role string, own bool) int {
			switch {
			case !own:
				return 404
			case slices.Contains(ok, role):
				return 200
			}
			return 403
		}
	}
	// readModel asks a read-model route for Leipzig's figures after do (nil: nothing) has been
	// done to the process by Leipzig's lead and the read models have caught up.
	readModel := func(path string, do func(id string)) func(who, id string) reply {
		return func(who, id string) reply {
			if do != nil {
				do(id)
			}
			s.readModelsCaughtUp()
			return s.call("GET", strings.ReplaceAll(path, "{id}", id), who, nil)
		}
	}
	lead := func(name string, body map[string]any) func(id string) {
		return func(id string) {
			if r := s.call("POST", "/api/v1/processes/"+id+"/"+name, "lead@leipzig", body); r.status != 200 {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
		}
	}
	// rowsOf returns the objects in the answer's list field.
	rowsOf := func(t *testing.T, r reply, field string) []map[string]any {
		var out []map[string]any
		for _, v := range r.json(t)[field].([]any) {
			out = append(out, v.(map[string]any))
		}
		return out
	}
	hasRow := func(field, key string) func(t *testing.T, r reply, id string) bool {
		return func(t *testing.T, r reply, id string) bool {
			return slices.ContainsFunc(rowsOf(t, r, field), func(m map[string]any) bool { return m[key] == id })
		}
	}
	answered := func(string, bool) int { return 200 } // another tenant's figures: empty, not refused
	checks := []check{
		{"GET /api/v1/overview", readModel("/api/v1/overview?tenant=leipzig", nil), answered, hasRow("rows", "id")},
		{"GET /api/v1/stats/stages", readModel("/api/v1/stats/stages?tenant=leipzig&template=beteiligung-standard", nil), answered,
			func(t *testing.T, r reply, _ string) bool { return len(rowsOf(t, r, "rows")) > 0 }},
		{"GET /api/v1/participation", readModel("/api/v1/participation?tenant=leipzig&process={id}",
			lead("register_participant", map[string]any{"group": "citizens", "name": "Erika Mustermann"})), answered,
			func(t *testing.T, r reply, _ string) bool { return len(rowsOf(t, r, "groups")) > 0 }},
		{"GET /api/v1/measures", readModel("/api/v1/measures?tenant=leipzig&process={id}",
			lead("define_measure", map[string]any{"title": "Bänke", "owner": "Grünflächenamt"})), answered, hasRow("measures", "process")},
		{"GET /api/v1/processes/{id}/timeline", readModel("/api/v1/processes/{id}/timeline", nil),
			byRoles("administrator", "lead", "member", "auditor"), hasRow("entries", "process")},
		{"GET /api/v1/processes/{id}", func(who, id string) reply { return s.call("GET", "/api/v1/processes/"+id, who, nil) }, readAll, nil},
		{"GET /api/v1/processes/{id}?version", func(who, id string) reply { return s.call("GET", "/api/v1/processes/"+id+"?version=1", who, nil) }, readAll, nil},
		{"GET /api/v1/processes/{id}/history", func(who, id string) reply { return s.call("GET", "/api/v1/processes/"+id+"/history", who, nil) }, readAll, nil},
		{"GET /api/v1/processes/{id}/report", func(who, id string) reply { return s.call("GET", "/api/v1/processes/"+id+"/report", who, nil) }, byRoles("administrator", "auditor"), nil},
		{"POST /api/v1/processes/{id}/verify", func(who, id string) reply { return s.call("POST", "/api/v1/processes/"+id+"/verify", who, nil) }, byRoles("administrator", "auditor"), nil},
		{"POST complete_task", cmd("complete_task", map[string]any{"task": "define_subject", "evidence": "x"}), byRoles("administrator", "lead", "member"), nil},
		{"POST record_contribution", cmd("record_contribution", map[string]any{"text": "Idee"}), byRoles("administrator", "lead", "member"), nil},
		{"POST record_decision", cmd("record_decision", map[string]any{"subject": "S", "model": "majority", "outcome": "ja"}), byRoles("administrator", "lead"), nil},
		{"POST grant_approval", func(who, id string) reply {
			return s.call("POST", "/api/v1/processes/"+id+"/grant_approval", who, map[string]any{"approval": "department_head"})
		}, func(role string, own bool) int {
			switch {
			case !own:
				return 404
			case role == "auditor" || role == "viewer" || role == "coordinator":
				return 403
			}
			return 422 // tender has no such approval: the role passes, the input does not
		}, nil},
		{"POST suspend", cmd("suspend", map[string]any{"reason": "Pause"}), byRoles("administrator", "lead"), nil},
		{"POST migrate", cmd("migrate", map[string]any{"to_version": 1, "reason": "x"}), func(role string, own bool) int {
			switch {
			case !own:
				return 404
			case role == "administrator":
				return 422 // already on version 1
			}
			return 403
		}, nil},
	}
	for _, c := range checks {
		for _, role := range roles {
			for _, own := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/own=%v", c.route, role, own)
				t.Run(strings.NewReplacer(" ", "_", "/", "_").Replace(name), func(t *testing.T) {
					id := s.open("leipzig", "Matrix")
					tenant := "leipzig"
					if !own {
						tenant = "menden"
					}
					r := c.call(role+"@"+tenant, id)
					if want := c.expect(role, own); r.status != want {
						t.Fatalf("%d %s, want %d", r.status, r.body, want)
					}
					if c.shows != nil && r.status == 200 && c.shows(t, r, id) != own {
						t.Fatalf("shows the Leipzig process: %v, want %v: %s", !own, own, r.body)
					}
				})
			}
		}
	}
	t.Run("installation_administrator_acts_everywhere", func(t *testing.T) {
		id := s.open("menden", "Überall")
		if r := s.call("POST", "/api/v1/processes/"+id+"/suspend", "administrator@*", map[string]any{"reason": "Prüfung"}); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := s.call("GET", "/api/v1/processes?tenant=menden", "administrator@*", nil); len(r.json(t)["items"].([]any)) == 0 {
			t.Fatal("the installation administrator does not see menden's processes")
		}
	})
	t.Run("lists_never_show_another_tenant", func(t *testing.T) {
		s.open("menden", "Nur Menden")
		for _, role := range roles {
			r := s.call("GET", "/api/v1/processes?tenant=menden", role+"@leipzig", nil)
			if r.status != 200 || len(r.json(t)["items"].([]any)) != 0 {
				t.Fatalf("%s of leipzig lists menden: %d %s", role, r.status, r.body)
			}
		}
	})
	t.Run("templates", func(t *testing.T) {
		doc := "id: eigen\ntitle: {de: Eigene, en: Own}\nstages:\n  - key: a\n    title: {de: A, en: A}\n"
		for _, role := range roles {
			want := 403
			if role == "administrator" {
				want = 201
			}
			r := s.call("POST", "/api/v1/templates", role+"@leipzig", doc, "Content-Type", "application/yaml")
			if r.status != want {
				t.Fatalf("%s publishes: %d, want %d", role, r.status, want)
			}
			if r := s.call("GET", "/api/v1/templates", role+"@leipzig", nil); r.status != 200 {
				t.Fatalf("%s lists templates: %d", role, r.status)
			}
			retire := s.call("POST", "/api/v1/templates/eigen/versions/1/retire", role+"@leipzig", map[string]any{"reason": "alt"})
			if (role == "administrator") != (retire.status == 200) {
				t.Fatalf("%s retires: %d", role, retire.status)
			}
		}
	})
	t.Run("open_and_read_templates", func(t *testing.T) {
		for _, role := range roles {
			for _, tenant := range []string{"leipzig", "menden"} {
				want := 403
				if role == "administrator" || role == "lead" {
					want = 201
				}
				r := s.call("POST", "/api/v1/processes", role+"@"+tenant, map[string]any{"template": "beteiligung-standard", "title": "Neu"})
				if r.status != want {
					t.Fatalf("%s@%s opens: %d, want %d", role, tenant, r.status, want)
				}
				for _, path := range []string{"/api/v1/templates/beteiligung-standard", "/api/v1/templates/beteiligung-standard/versions/1", "/api/v1/processes"} {
					if r := s.call("GET", path, role+"@"+tenant, nil); r.status != 200 {
						t.Fatalf("%s@%s GET %s: %d", role, tenant, path, r.status)
					}
				}
			}
		}
	})
	t.Run("persons", func(t *testing.T) {
		base := "/api/v1/processes/" + s.open("leipzig", "Personen")
		for _, role := range roles {
			for _, tenant := range []string{"leipzig", "menden", "*"} {
				if tenant == "*" && role != "administrator" {
					continue
				}
				person := s.register(base, map[string]any{"group": "citizens", "name": "Erika Mustermann"})
				want := 403 // a role that may not erase learns nothing about the person
				switch {
				case role == "administrator" && tenant == "menden":
					want = 404 // another tenant's person, like another tenant's process
				case role == "administrator":
					want = 200
				}
				name := person
				if tenant == "*" {
					name = "leipzig:" + person
				}
				before := s.events() - s.auditRecords()
				r := s.call("POST", "/api/v1/persons/"+name+"/erase", role+"@"+tenant, nil)
				if r.status != want {
					t.Fatalf("%s@%s erases: %d %s, want %d", role, tenant, r.status, r.body, want)
				}
				if wrote := s.events()-s.auditRecords() != before; wrote != (want == 200) { // an auditor's refusal is recorded as ever
					t.Fatalf("%s@%s erases with %d and wrote events: %v", role, tenant, r.status, wrote)
				}
			}
		}
	})
	t.Run("public_routes", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz", "/api/openapi.json"} {
			if r := s.call("GET", p, "", nil); r.status != http.StatusOK {
				t.Fatalf("%s: %d", p, r.status)
			}
		}
	})
}
