package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/projections/opendata"
	"github.com/civicflow/civicflow/projections/opendata/opendatatest"
)

// TestSetOpenData_answers_each_case_with_its_status_and_problem: who may mark a process public,
// that an unchanged value is refused by its rule, and that a bad body names the field; every
// answer is checked against the OpenAPI description.
func TestSetOpenData_answers_each_case_with_its_status_and_problem(t *testing.T) {
	t.Parallel()
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

// TestOpenData_exports_only_public_processes_without_personal_data: without a token, as JSON
// (checked against the OpenAPI description and the served JSON Schema) and as CSV (by ?format=
// and by Accept); a process made private again disappears.
func TestOpenData_exports_only_public_processes_without_personal_data(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	public, private := s.open("leipzig", "Spielplatz Lindenauer Markt"), s.open("leipzig", "Verkehrsversuch")
	for _, id := range []string{public, private} {
		base := "/api/v1/processes/" + id
		s.call("POST", base+"/register_participant", "member@leipzig", map[string]any{"participant": "erika", "group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"})
		s.call("POST", base+"/record_contribution", "member@leipzig", map[string]any{"text": "Mehr Schatten am Sandkasten"})
	}
	if r := s.call("POST", "/api/v1/processes/"+public+"/set_open_data", "administrator@leipzig", `{"public":true}`); r.status != http.StatusOK {
		t.Fatalf("set_open_data: %d %s", r.status, r.body)
	}
	s.readModelsCaughtUp()
	r := s.call("GET", "/api/v1/opendata/leipzig", "", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	opendatatest.Validate(t, opendata.Schema, r.body)
	var ds struct {
		License   string `json:"dct:license"`
		Processes []struct {
			ID           string `json:"id"`
			Participants []struct {
				Group  string `json:"group"`
				Active int    `json:"active"`
			} `json:"participants"`
			ContributionsTotal int `json:"contributions_total"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(r.body, &ds); err != nil {
		t.Fatal(err)
	}
	if len(ds.Processes) != 1 || ds.Processes[0].ID != public || ds.License != "http://dcat-ap.de/def/licenses/dl-by-de/2.0" {
		t.Fatalf("want only the public process %s: %s", public, r.body)
	}
	if p := ds.Processes[0]; len(p.Participants) != 1 || p.Participants[0].Active != 1 || p.ContributionsTotal != 1 {
		t.Errorf("figures %+v", p)
	}
	csvByQuery := s.call("GET", "/api/v1/opendata/leipzig?format=csv", "", nil)
	csvByAccept := s.call("GET", "/api/v1/opendata/leipzig", "", nil, "Accept", "text/csv")
	for _, c := range []reply{csvByQuery, csvByAccept} {
		if c.status != http.StatusOK || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(string(c.body), "process_id,process_title,") || !strings.Contains(string(c.body), public) || strings.Contains(string(c.body), private) {
			t.Errorf("CSV: %d %s\n%s", c.status, c.header.Get("Content-Type"), c.body)
		}
	}
	for _, out := range [][]byte{r.body, csvByQuery.body} {
		for _, secret := range []string{"Erika", "Mustermann", "erika@example.org", "Mehr Schatten", "member-leipzig", "administrator-leipzig", `"erika"`} {
			if strings.Contains(string(out), secret) {
				t.Errorf("the export holds %q", secret)
			}
		}
	}
	s.call("POST", "/api/v1/processes/"+public+"/set_open_data", "administrator@leipzig", `{"public":false}`)
	if r := s.call("GET", "/api/v1/opendata/leipzig", "", nil); r.status != http.StatusOK || strings.Contains(string(r.body), public) {
		t.Errorf("a process made private again is still exported: %d %s", r.status, r.body)
	}
	if r := s.call("GET", "/api/v1/opendata/leipzig?format=xml", "", nil); r.status != http.StatusBadRequest || r.json(t)["field"] != "format" {
		t.Errorf("format=xml: %d %s", r.status, r.body)
	}
	if r := s.call("GET", "/api/opendata.schema.json", "", nil); r.status != http.StatusOK || !bytes.Equal(r.body, opendata.Schema) {
		t.Errorf("schema: %d", r.status)
	}
}

// TestOpenData_unknown_tenants_are_404_and_throttled: each unknown tenant counts as a failed
// attempt of the address, so that after the free ones the address gets 429 with Retry-After,
// also for a tenant that exists.
func TestOpenData_unknown_tenants_are_404_and_throttled(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.open("leipzig", "Spielplatz")
	if r := s.call("GET", "/api/v1/opendata/leipzig", "", nil); r.status != http.StatusOK {
		t.Fatalf("known tenant: %d %s", r.status, r.body)
	}
	var statuses []int
	for i := range 8 {
		r := s.call("GET", "/api/v1/opendata/tenant-"+strconv.Itoa(i), "", nil)
		statuses = append(statuses, r.status)
		if r.status == http.StatusNotFound && code(t, r) != "not_found" {
			t.Errorf("unknown tenant: %s", r.body)
		}
	}
	if statuses[0] != http.StatusNotFound || statuses[len(statuses)-1] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want 404 first and 429 after the free attempts", statuses)
	}
	r := s.call("GET", "/api/v1/opendata/leipzig", "", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("a throttled address still reads: %d %v", r.status, r.header)
	}
}
