package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/workflows/tokens"
)

// addTokens gives the server's callers a token for each role in each tenant ("role@tenant").
func (s *server) addTokens(tenants []string, roles []string) {
	s.t.Helper()
	reg := tokens.New(s.store, s.clock)
	for _, tenant := range tenants {
		for _, role := range roles {
			secret, _, err := reg.Create(context.Background(), tenant, role+"-"+tenant, role)
			if err != nil {
				s.t.Fatal(err)
			}
			s.tokens[role+"@"+tenant] = secret
		}
	}
}

// newProgramme opens a programme coordinated by ews with Leipzig's process as a member site, whose
// participant has a name; it returns the programme's and the process's IDs.
func (s *server) newProgramme(max int) (string, string) {
	s.t.Helper()
	r := s.call("POST", "/api/v1/programmes", "coordinator@ews", map[string]any{"title": "EWS Runde 3", "coordinator": "Landesnetzwerk",
		"start": "2025-01-01T00:00:00Z", "end": "2025-12-31T00:00:00Z", "max_sites": max})
	if r.status != 201 {
		s.t.Fatalf("open programme: %d %s", r.status, r.body)
	}
	prog := r.json(s.t)["programme"].(string)
	proc := s.open("leipzig", "EWS Leipzig")
	if r := s.call("POST", "/api/v1/processes/"+proc+"/register_participant", "lead@leipzig",
		map[string]any{"group": "administration", "name": "Erika Vertraulich", "email": "erika@leipzig.de"}); r.status != 200 {
		s.t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/api/v1/programmes/"+prog+"/join", "lead@leipzig", map[string]any{"process": proc, "site": "Leipzig"}); r.status != 200 {
		s.t.Fatalf("join: %d %s", r.status, r.body)
	}
	return prog, proc
}

// holdWorkshop schedules and holds the shared session w1 of a programme coordinated by ews.
func (s *server) holdWorkshop(prog string) {
	s.t.Helper()
	s.call("POST", "/api/v1/programmes/"+prog+"/schedule_session", "coordinator@ews", map[string]any{"session": "w1", "title": "Werkstatt 1",
		"format": "workshop", "date": "2025-03-03T09:00:00Z", "online": true})
	s.call("POST", "/api/v1/programmes/"+prog+"/hold_session", "coordinator@ews", map[string]any{"session": "w1"})
}

var allRoles = []string{"administrator", "lead", "member", "auditor", "viewer", "coordinator"}

func TestAPI_programmes_roles_and_tenants(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.addTokens([]string{"ews"}, allRoles)
	s.addTokens([]string{"olpe"}, []string{"lead"})
	// Tenants: ews coordinates, leipzig is a member site, menden is outside the programme.
	type check struct {
		name   string
		call   func(who, prog string) reply
		expect func(role, tenant string) int
	}
	post := func(cmd string, body map[string]any) func(who, prog string) reply {
		return func(who, prog string) reply { return s.call("POST", "/api/v1/programmes/"+prog+"/"+cmd, who, body) }
	}
	seen := func(ok func(role, tenant string) int) func(role, tenant string) int {
		return func(role, tenant string) int {
			if tenant == "menden" {
				return 404
			}
			return ok(role, tenant)
		}
	}
	coordinates := seen(func(role, tenant string) int {
		if tenant == "ews" && (role == "administrator" || role == "coordinator") {
			return 200
		}
		return 403
	})
	checks := []check{
		{"GET_programme", func(who, prog string) reply { return s.call("GET", "/api/v1/programmes/"+prog, who, nil) },
			seen(func(string, string) int { return 200 })},
		{"schedule_session", post("schedule_session", map[string]any{"session": "fachtagung", "title": "Fachtagung", "format": "conference",
			"date": "2025-03-03T09:00:00Z", "duration_minutes": 360, "place": "Dortmund"}), coordinates},
		{"record_attendance", func(who, prog string) reply {
			s.holdWorkshop(prog)
			return s.call("POST", "/api/v1/programmes/"+prog+"/record_attendance", who, map[string]any{"session": "w1", "persons": []string{"p-1"}})
		}, seen(func(role, tenant string) int {
			switch {
			case !slices.Contains([]string{"administrator", "lead", "member"}, role):
				return 403
			case tenant == "ews":
				return 422 // the coordinating tenant is no member site
			}
			return 200
		})},
		{"give_feedback", func(who, prog string) reply {
			s.holdWorkshop(prog)
			s.call("POST", "/api/v1/programmes/"+prog+"/record_attendance", "lead@leipzig", map[string]any{"session": "w1", "persons": []string{"p-1"}})
			return s.call("POST", "/api/v1/programmes/"+prog+"/give_feedback", who, map[string]any{"session": "w1", "person": "p-1", "text": "Erika meint: mehr Pausen"})
		}, seen(func(role, tenant string) int {
			switch {
			case !slices.Contains([]string{"administrator", "lead", "member"}, role):
				return 403
			case tenant == "ews":
				return 422 // the coordinating tenant is no member site
			}
			return 200
		})},
		{"join", func(who, prog string) reply {
			tenant := strings.Split(who, "@")[1]
			proc := s.open(map[string]string{"ews": "menden", "leipzig": "menden", "menden": "menden"}[tenant], "Zweiter Standort")
			return s.call("POST", "/api/v1/programmes/"+prog+"/join", who, map[string]any{"process": proc})
		}, func(role, tenant string) int {
			// Menden's own process: only Menden's administrators and leads may join it; others
			// do not find it (or, for roles that never join, are refused first by the programme).
			switch {
			case tenant != "menden":
				return 404
			case role == "administrator" || role == "lead":
				return 200
			}
			return 403
		}},
	}
	for _, c := range checks {
		for _, tenant := range []string{"ews", "leipzig", "menden"} {
			for _, role := range allRoles {
				t.Run(fmt.Sprintf("%s/%s@%s", c.name, role, tenant), func(t *testing.T) {
					prog, _ := s.newProgramme(10)
					if r := c.call(role+"@"+tenant, prog); r.status != c.expect(role, tenant) {
						t.Fatalf("%d %s, want %d", r.status, r.body, c.expect(role, tenant))
					}
				})
			}
		}
	}
	t.Run("the_coordinator_sees_figures_but_no_personal_data_of_any_tenant", func(t *testing.T) {
		prog, proc := s.newProgramme(10)
		r := s.call("GET", "/api/v1/programmes/"+prog, "coordinator@ews", nil)
		site := r.json(t)["sites"].([]any)[0].(map[string]any)
		if figures, _ := site["figures"].(map[string]any); figures == nil || figures["participants"] != 1.0 {
			t.Fatalf("no figures for the coordinator: %s", r.body)
		}
		if strings.Contains(string(r.body), "Erika") || strings.Contains(string(r.body), "lead-leipzig") {
			t.Fatalf("personal data in the programme view: %s", r.body)
		}
		base := "/api/v1/programmes/" + prog
		s.holdWorkshop(prog)
		s.call("POST", base+"/record_attendance", "lead@leipzig", map[string]any{"session": "w1", "persons": []string{"p-1", "p-2"}})
		for _, p := range []string{"p-1", "p-2"} {
			if r := s.call("POST", base+"/give_feedback", "member@leipzig", map[string]any{"session": "w1", "person": p, "text": "Erika meint: mehr Pausen"}); r.status != 200 {
				t.Fatalf("feedback: %d %s", r.status, r.body)
			}
		}
		for _, path := range []string{base, base + "/report"} {
			r := s.call("GET", path, "coordinator@ews", nil)
			if r.status != 200 || strings.Contains(string(r.body), "Erika") || strings.Contains(string(r.body), "p-1") {
				t.Fatalf("%s: %d, personal data or person IDs for the coordinator: %s", path, r.status, r.body)
			}
		}
		fb := s.call("GET", base, "coordinator@ews", nil).json(t)["sessions"].([]any)[0].(map[string]any)["feedback"].(map[string]any)
		if fb["count"] != 2.0 || fb["by_site"].(map[string]any)["leipzig"] != 2.0 {
			t.Fatalf("feedback aggregate %v, want 2 responses from leipzig", fb)
		}
		if r := s.call("GET", "/api/v1/processes/"+proc, "coordinator@ews", nil); r.status != 404 {
			t.Fatalf("the coordinator reads the member process itself: %d", r.status)
		}
		if r := s.call("GET", "/api/v1/processes/"+proc, "coordinator@leipzig", nil); r.status != 200 || strings.Contains(string(r.body), "Erika") {
			t.Fatalf("a coordinator of the process's own tenant sees names: %d %s", r.status, r.body)
		}
	})
	t.Run("a_member_tenant_sees_only_its_own_sites_figures", func(t *testing.T) {
		prog, _ := s.newProgramme(10)
		other := s.open("menden", "EWS Menden")
		if r := s.call("POST", "/api/v1/programmes/"+prog+"/join", "lead@menden", map[string]any{"process": other}); r.status != 200 {
			t.Fatalf("join: %d %s", r.status, r.body)
		}
		r := s.call("GET", "/api/v1/programmes/"+prog, "lead@menden", nil)
		for _, x := range r.json(t)["sites"].([]any) {
			site := x.(map[string]any)
			if _, has := site["figures"]; has != (site["tenant"] == "menden") {
				t.Fatalf("menden sees figures of %s: %v", site["tenant"], has)
			}
		}
	})
	t.Run("partners_record_values_of_a_shared_indicator", func(t *testing.T) {
		prog, _ := s.newProgramme(10)
		base := "/api/v1/programmes/" + prog
		ind := map[string]any{"indicator": "strategien", "name_de": "Beschlossene Strategien", "name_en": "strategies adopted", "unit": "Standorte",
			"direction": "increase", "baseline_value": 0, "baseline_date": "2025-01-01T00:00:00Z", "target_value": 10, "target_date": "2025-12-31T00:00:00Z"}
		if r := s.call("POST", base+"/declare_indicator", "lead@leipzig", ind); r.status != 403 {
			t.Fatalf("a site declares: %d", r.status)
		}
		if r := s.call("POST", base+"/declare_indicator", "coordinator@ews", ind); r.status != 200 {
			t.Fatalf("declare: %d %s", r.status, r.body)
		}
		if r := s.call("POST", base+"/record_indicator_value", "member@leipzig", map[string]any{"indicator": "strategien", "value": 4,
			"date": "2025-03-01T00:00:00Z", "source": "Ratsbeschlüsse"}); r.status != 200 {
			t.Fatalf("record: %d %s", r.status, r.body)
		}
		got := s.call("GET", base, "coordinator@ews", nil).json(t)["indicators"].([]any)[0].(map[string]any)
		if got["latest"].(map[string]any)["value"] != 4.0 || got["values"].([]any)[0].(map[string]any)["tenant"] != "leipzig" || got["reached"] != false {
			t.Fatalf("indicator %v", got)
		}
	})
	t.Run("the_eleventh_site_is_refused_with_the_rule_named", func(t *testing.T) {
		prog, _ := s.newProgramme(1)
		other := s.open("menden", "EWS Menden")
		r := s.call("POST", "/api/v1/programmes/"+prog+"/join", "lead@menden", map[string]any{"process": other})
		if r.status != 422 || r.json(t)["rule"] != "max_sites" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("lists_show_the_programmes_a_tenant_takes_part_in", func(t *testing.T) {
		s.newProgramme(10)
		for who, want := range map[string]bool{"viewer@ews": true, "member@leipzig": true, "lead@olpe": false} {
			r := s.call("GET", "/api/v1/programmes", who, nil)
			if got := len(r.json(t)["items"].([]any)) > 0; got != want {
				t.Fatalf("%s lists programmes: %v, want %v", who, got, want)
			}
		}
	})
}

// programmeReads are the reads of programmes an auditor of Leipzig may make: the list, a
// programme Leipzig coordinates and its audit report.
func programmeReads(s *server) []auditedRead {
	s.t.Helper()
	r := s.call("POST", "/api/v1/programmes", "administrator@leipzig", map[string]any{"title": "Leipziger Reihe", "coordinator": "Stadt Leipzig",
		"start": "2025-01-01T00:00:00Z", "end": "2025-12-31T00:00:00Z", "max_sites": 3})
	if r.status != 201 {
		s.t.Fatalf("open programme: %d %s", r.status, r.body)
	}
	path := "/api/v1/programmes/" + r.json(s.t)["programme"].(string)
	return []auditedRead{
		{"programme list", "GET /api/v1/programmes", "GET", "/api/v1/programmes", "/api/v1/programmes", "", ""},
		{"programme", "GET /api/v1/programmes/{id}", "GET", path, path, "", ""},
		{"programme report", "GET /api/v1/programmes/{id}/report", "GET", path + "/report", path + "/report", "", ""},
	}
}

func TestAPI_programme_idempotency_key_is_bound_to_its_request(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.addTokens([]string{"ews"}, []string{"coordinator"})
	prog, _ := s.newProgramme(10)
	base := "/api/v1/programmes/" + prog + "/schedule_session"
	body := map[string]any{"session": "w1", "title": "Werkstatt", "format": "workshop", "date": "2025-03-03T09:00:00Z", "online": true}
	if r := s.call("POST", base, "coordinator@ews", body, "Idempotency-Key", "k-1"); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	if r := s.call("POST", base, "coordinator@ews", body, "Idempotency-Key", "k-1"); r.status != 200 || r.json(t)["duplicate"] != true {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	body["title"] = "Andere Werkstatt"
	if r := s.call("POST", base, "coordinator@ews", body, "Idempotency-Key", "k-1"); r.status != 422 || code(t, r) != "idempotency_key_reused" {
		t.Fatalf("another request with the key: %d %s", r.status, r.body)
	}
}
