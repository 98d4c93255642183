package httpapi_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// The certificate is an HTML page: its body is checked as a string. The fuzzer's seeds get a
// valid body of every collaboration command.
func init() {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	maps.Copy(validBodies, map[string]string{
		"form_team":         `{"team":"et","kind":"entwicklungsteam","name":"Entwicklungsteam"}`,
		"join_team":         `{"team":"et","participant":"p1"}`,
		"leave_team":        `{"team":"et","participant":"p1","reason":"Elternzeit"}`,
		"assign_coach":      `{"team":"et","participant":"p2"}`,
		"take_role":         `{"role":"coach","participant":"p2"}`,
		"release_role":      `{"role":"coach","participant":"p2","reason":"Wechsel"}`,
		"join_organisation": `{"organisation":"jc","name":"Jobcenter","group":"administration","contact_name":"Karla Kontakt","contact_email":"karla@example.org"}`,
		"declare_indicator": `{"indicator":"quote","name_de":"Quote","name_en":"rate","unit":"%","direction":"increase","baseline_value":4,` +
			`"baseline_date":"2024-01-01T00:00:00Z","baseline_source":"BA","target_value":6,"target_date":"2027-12-31T00:00:00Z"}`,
		"record_indicator_value": `{"indicator":"quote","value":5.5,"date":"2025-03-01T00:00:00Z","source":"BA 2025"}`,
		"record_attendance":      `{"session":"s1","participants":["p1","p2"]}`,
		"give_feedback":          `{"session":"s1","participant":"p1","ratings":{"nutzen":4},"text":"hilfreich"}`,
	})
}

// teamTemplate has an Entwicklungsteam of exactly two, a coached Lösungsteam and a certificate
// for a series of three training modules of which two must be attended.
const teamTemplate = `id: team-test
title: {de: Teams, en: teams}
team_kinds:
  - {key: entwicklungsteam, title: {de: Entwicklungsteam, en: development team}, min: 2, max: 2}
  - {key: loesungsteam, title: {de: Lösungsteam, en: solution team}, min: 3, max: 6, coached: true}
certificates:
  - {key: reihe, title: {de: Werkstattreihe, en: workshop series}, format: training, min_attended: 2}
stages:
  - key: arbeit
    title: {de: Arbeit, en: work}
`

// teamProcess publishes teamTemplate and opens a Leipzig process of it with participants anna,
// ben, cem and an organisation whose contact is Karla; three modules are held, anna attends all,
// cem one.
func (s *server) teamProcess() string {
	s.t.Helper()
	if r := s.call("POST", "/api/v1/templates", "administrator@leipzig", teamTemplate, "Content-Type", "application/yaml"); r.status != 201 && r.status != 200 {
		s.t.Fatalf("publish: %d %s", r.status, r.body)
	}
	r := s.call("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "team-test", "title": "Werkstatt"})
	if r.status != 201 {
		s.t.Fatalf("open: %d %s", r.status, r.body)
	}
	id := r.json(s.t)["process"].(string)
	do := func(cmd string, body map[string]any) {
		if r := s.call("POST", "/api/v1/processes/"+id+"/"+cmd, "lead@leipzig", body); r.status != 200 {
			s.t.Fatalf("%s: %d %s", cmd, r.status, r.body)
		}
	}
	for _, p := range []string{"anna", "ben", "cem"} {
		do("register_participant", map[string]any{"participant": p, "group": "administration", "name": "Person " + strings.ToUpper(p)})
	}
	do("join_organisation", map[string]any{"organisation": "jc", "name": "Jobcenter", "group": "administration",
		"contact_name": "Karla Kontakt", "contact_email": "karla@example.org"})
	for _, m := range []string{"m1", "m2", "m3"} {
		do("schedule_session", map[string]any{"session": m, "title": "Modul " + m, "format": "training", "date": "2025-03-03T09:00:00Z",
			"place": "Leipzig", "duration_minutes": 240})
		do("hold_session", map[string]any{"session": m, "attendance": 2})
		attendees := []string{"anna"}
		if m == "m1" {
			attendees = append(attendees, "cem")
		}
		do("record_attendance", map[string]any{"session": m, "participants": attendees})
	}
	return id
}

func TestAPI_teams_attendance_and_certificates(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.teamProcess()
	base := "/api/v1/processes/" + id
	cmd := func(who, name string, body map[string]any) reply { return s.call("POST", base+"/"+name, who, body) }
	t.Run("a_third_entwicklungsteam_member_is_refused_with_the_rule", func(t *testing.T) {
		cmd("lead@leipzig", "form_team", map[string]any{"team": "et", "kind": "entwicklungsteam", "name": "Entwicklungsteam"})
		cmd("member@leipzig", "join_team", map[string]any{"team": "et", "participant": "anna"})
		cmd("member@leipzig", "join_team", map[string]any{"team": "et", "participant": "ben"})
		r := cmd("member@leipzig", "join_team", map[string]any{"team": "et", "participant": "cem"})
		if r.status != 422 || r.json(t)["rule"] != "team_size" || !strings.Contains(string(r.body), "genau 2") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("a_coach_is_assigned_by_a_lead", func(t *testing.T) {
		cmd("lead@leipzig", "form_team", map[string]any{"team": "lt", "kind": "loesungsteam", "name": "Lösungsteam"})
		if r := cmd("member@leipzig", "assign_coach", map[string]any{"team": "lt", "participant": "cem"}); r.status != 403 {
			t.Fatalf("member: %d", r.status)
		}
		if r := cmd("lead@leipzig", "assign_coach", map[string]any{"team": "lt", "participant": "cem"}); r.status != 200 {
			t.Fatalf("lead: %d %s", r.status, r.body)
		}
		teams := s.call("GET", base, "viewer@leipzig", nil).json(t)["collab"].(map[string]any)["teams"].([]any)
		if lt := teams[1].(map[string]any); lt["coach"] != "cem" || lt["complete"] != false {
			t.Fatalf("team %v", lt)
		}
	})
	t.Run("certificate_only_with_enough_modules", func(t *testing.T) {
		r := s.call("GET", base+"/participants/anna/certificates/reihe", "lead@leipzig", nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Person ANNA") ||
			!strings.Contains(string(r.body), "3 von 3") || !strings.Contains(string(r.body), "720") {
			t.Fatalf("anna: %d %s", r.status, r.body)
		}
		if r := s.call("GET", base+"/participants/cem/certificates/reihe", "lead@leipzig", nil); r.status != 422 || r.json(t)["rule"] != "not_enough_sessions" {
			t.Fatalf("cem: %d %s", r.status, r.body)
		}
		rec := s.call("GET", base+"/participants/cem/attendance", "member@leipzig", nil).json(t)
		if c := rec["certificates"].([]any)[0].(map[string]any); c["attended"] != 1.0 || c["eligible"] != false || len(rec["sessions"].([]any)) != 1 {
			t.Fatalf("cem's record %v", rec)
		}
	})
	t.Run("viewers_and_coordinators_get_no_attendance_record_or_contact", func(t *testing.T) {
		for _, who := range []string{"viewer@leipzig", "coordinator@leipzig"} {
			if r := s.call("GET", base+"/participants/anna/attendance", who, nil); r.status != http.StatusForbidden {
				t.Fatalf("%s: %d", who, r.status)
			}
			if r := s.call("GET", base, who, nil); strings.Contains(string(r.body), "Karla") || strings.Contains(string(r.body), "Person ANNA") {
				t.Fatalf("%s sees personal data: %s", who, r.body)
			}
		}
		if r := s.call("GET", base, "lead@leipzig", nil); !strings.Contains(string(r.body), "Karla Kontakt") {
			t.Fatal("the lead does not see the contact")
		}
		if r := s.call("GET", base+"/participants/anna/attendance", "lead@menden", nil); r.status != 404 {
			t.Fatalf("another tenant: %d", r.status)
		}
	})
	t.Run("erasure_removes_the_person_and_keeps_the_counts", func(t *testing.T) {
		var anna string
		for _, x := range s.call("GET", base, "lead@leipzig", nil).json(t)["participants"].([]any) {
			if p := x.(map[string]any); p["id"] == "anna" {
				anna = p["person"].(string)
			}
		}
		if r := s.call("POST", "/api/v1/persons/"+anna+"/erase", "administrator@leipzig", nil); r.status != 200 {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		if r := s.call("GET", base+"/participants/anna/certificates/reihe", "lead@leipzig", nil); r.status != 422 || r.json(t)["rule"] != "person_erased" {
			t.Fatalf("certificate after erasure: %d %s", r.status, r.body)
		}
		v := s.call("GET", base, "lead@leipzig", nil)
		if strings.Contains(string(v.body), "Person ANNA") {
			t.Fatal("anna's name is still shown")
		}
		collab := v.json(t)["collab"].(map[string]any)
		et := collab["teams"].([]any)[0].(map[string]any)
		// The erasure ended anna's team membership (the team of two is incomplete now); the
		// attendance records stay counted.
		if len(et["members"].([]any)) != 1 || et["complete"] != false || len(collab["attendance"].(map[string]any)["m2"].([]any)) != 1 {
			t.Fatalf("after the erasure: %v, want anna out of the team and the attendance kept", collab)
		}
		rec := s.call("GET", base+"/participants/anna/attendance", "lead@leipzig", nil).json(t)
		if !strings.Contains(rec["name"].(string), "Art. 17") || len(rec["sessions"].([]any)) != 3 {
			t.Fatalf("record after erasure: %v", rec)
		}
	})
}

// collabReads are the attendance and certificate reads an auditor of Leipzig may make.
func collabReads(s *server) []auditedRead {
	id := s.teamProcess()
	base := "/api/v1/processes/" + id + "/participants/anna"
	return []auditedRead{
		{"attendance record", "GET /api/v1/processes/{id}/participants/{participant}/attendance", "GET", base + "/attendance", base + "/attendance", "", id},
		{"certificate", "GET /api/v1/processes/{id}/participants/{participant}/certificates/{certificate}", "GET", base + "/certificates/reihe",
			base + "/certificates/reihe", "", id},
	}
}
