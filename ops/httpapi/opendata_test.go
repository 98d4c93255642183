package httpapi_test

import (
	"net/http"
	"testing"
)

// TestSetOpenData_answers_each_case_with_its_status_and_problem: who may mark a process public,
// that an unchanged value is refused by its rule, and that a bad body names the field; every
// answer is checked against the OpenAPI description.
func TestSetOpenData_answers_each_case_with_its_status_and_problem(t *testing.T) {
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz")
	path := "/api/v1/processes/" + id + "/set_open_data"
	cases := []struct {
		name   string
		who    string
		body   string
		status int
		code   string
		field  string // the problem's field or rule
	}{
		{"a_string_names_the_field", "administrator@leipzig", `{"public":"yes"}`, http.StatusBadRequest, "wrong_type", "public"},
		{"a_missing_value_names_the_field", "administrator@leipzig", `{}`, http.StatusUnprocessableEntity, "invalid_input", "public"},
		{"an_unknown_field_is_named", "administrator@leipzig", `{"public":true,"open":true}`, http.StatusBadRequest, "unknown_field", "open"},
		{"the_lead_may_not", "lead@leipzig", `{"public":true}`, http.StatusForbidden, "forbidden", ""},
		{"a_viewer_may_not", "viewer@leipzig", `{"public":true}`, http.StatusForbidden, "forbidden", ""},
		{"another_tenants_administrator_does_not_see_it", "administrator@menden", `{"public":true}`, http.StatusNotFound, "not_found", ""},
		{"private_when_private_is_refused", "administrator@leipzig", `{"public":false}`, http.StatusUnprocessableEntity, "refused", "open_data_unchanged"},
		{"the_administrator_marks_it_public", "administrator@leipzig", `{"public":true}`, http.StatusOK, "", ""},
		{"public_twice_is_refused", "administrator@leipzig", `{"public":true}`, http.StatusUnprocessableEntity, "refused", "open_data_unchanged"},
		{"the_administrator_makes_it_private_again", "administrator@leipzig", `{"public":false}`, http.StatusOK, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.events()
			r := s.call("POST", path, tc.who, tc.body)
			if r.status != tc.status || code(t, r) != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if tc.status != http.StatusOK {
				got := r.json(t)
				if tc.field != "" && got["field"] != tc.field && got["rule"] != tc.field {
					t.Errorf("problem %s names neither field nor rule %q", r.body, tc.field)
				}
				if s.events() != before {
					t.Error("a refused command wrote events")
				}
			}
		})
	}
}
