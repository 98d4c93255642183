package httpapi_test

import (
	"strings"
	"testing"
)

func TestAPI_past_state_refuses_what_it_cannot_answer(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	base := "/api/v1/processes/" + s.open("leipzig", "Radweg Süd")
	s.call("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": "define_subject", "evidence": "Vermerk"})
	cases := []struct {
		name, query string
		status      int
		code, field string
		mentions    []string
	}{
		{"refuses_a_version_beyond_the_current_one_naming_the_current_version", "?version=3", 404, "version_not_found", "version", []string{"3", "Version 2", "version 2"}},
		{"refuses_a_far_future_version", "?version=999999", 404, "version_not_found", "version", []string{"999999", "version 2"}},
		{"refuses_version_and_at_together_naming_both", "?version=1&at=2025-03-03T09:00:00Z", 400, "bad_query", "at, version", []string{"at", "version"}},
		{"refuses_a_version_below_one", "?version=0", 400, "bad_query", "version", []string{"version"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.call("GET", base+c.query, "auditor@leipzig", nil)
			body := r.json(t)
			if r.status != c.status || body["code"] != c.code || body["field"] != c.field {
				t.Fatalf("%d %s, want %d %s on field %q", r.status, r.body, c.status, c.code, c.field)
			}
			for _, m := range c.mentions {
				if !strings.Contains(body["detail"].(string), m) {
					t.Errorf("detail %q does not mention %q", body["detail"], m)
				}
			}
		})
	}
	t.Run("answers_the_current_version_itself", func(t *testing.T) {
		if r := s.call("GET", base+"?version=2", "auditor@leipzig", nil); r.status != 200 || r.json(t)["version"] != float64(2) {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("hides_another_tenants_process_whatever_the_version", func(t *testing.T) {
		if r := s.call("GET", base+"?version=999", "auditor@menden", nil); r.status != 404 || code(t, r) != "not_found" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}
