package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/report"
)

// programmeWithHistory opens the test programme and gives it a held session with attendance of
// a person of Leipzig, and an indicator with a value; it returns the programme's ID.
func (s *server) programmeWithHistory(person string) string {
	s.t.Helper()
	prog, _ := s.newProgramme(10)
	base := "/api/v1/programmes/" + prog + "/"
	steps := []struct {
		cmd, who string
		body     map[string]any
	}{
		{"schedule_session", "coordinator@ews", map[string]any{"session": "w1", "title": "Werkstatt 1", "format": "workshop",
			"date": "2025-03-03T09:00:00Z", "online": true}},
		{"hold_session", "coordinator@ews", map[string]any{"session": "w1"}},
		{"record_attendance", "lead@leipzig", map[string]any{"session": "w1", "persons": []string{person}}},
		{"declare_indicator", "coordinator@ews", map[string]any{"indicator": "strategien", "name_de": "Beschlossene Strategien",
			"name_en": "strategies adopted", "unit": "Standorte", "direction": "increase", "baseline_value": 0,
			"baseline_date": "2025-01-01T00:00:00Z", "target_value": 10, "target_date": "2025-12-31T00:00:00Z"}},
		{"record_indicator_value", "member@leipzig", map[string]any{"indicator": "strategien", "value": 4,
			"date": "2025-03-01T00:00:00Z", "source": "Ratsbeschlüsse"}},
	}
	for _, st := range steps {
		if r := s.call("POST", base+st.cmd, st.who, st.body); r.status != 200 {
			s.t.Fatalf("%s: %d %s", st.cmd, r.status, r.body)
		}
	}
	return prog
}

func TestAPI_programme_report(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.addTokens([]string{"ews"}, allRoles)
	const person = "p-vertraulich-17"
	prog := s.programmeWithHistory(person)
	if _, _, err := s.sealer.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	// After the seal: attendance again (checked by the chain only).
	if r := s.call("POST", "/api/v1/programmes/"+prog+"/record_attendance", "lead@leipzig",
		map[string]any{"session": "w1", "persons": []string{person, "p-geheim-18"}}); r.status != 200 {
		t.Fatalf("attendance: %d %s", r.status, r.body)
	}
	path := "/api/v1/programmes/" + prog + "/report"
	r := s.call("GET", path, "coordinator@ews", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var rep report.ProgrammeReport
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Erika", "Vertraulich", "erika@leipzig.de", person, "p-geheim-18", "lead-leipzig", "member-leipzig"}
	t.Run("tells_the_programme_its_sites_sessions_and_indicators", func(t *testing.T) {
		p := rep.Programme
		if p.Title != "EWS Runde 3" || p.Coordinator != "Landesnetzwerk" || p.MaxSites != 10 || len(p.Sites) != 1 || p.Sites[0].Tenant != "leipzig" {
			t.Fatalf("programme %+v", p)
		}
		if p.Sites[0].Figures == nil || p.Sites[0].Figures.Participants != 1 || p.Sites[0].Figures.ProgrammeAttendance != 2 {
			t.Fatalf("site figures %+v", p.Sites[0].Figures)
		}
		if len(p.Sessions) != 1 || !p.Sessions[0].Held || p.Sessions[0].BySite["leipzig"] != 2 {
			t.Fatalf("sessions %+v", p.Sessions)
		}
		if len(p.Indicators) != 1 || p.Indicators[0].Baseline.Value != 0 || p.Indicators[0].Target.Value != 10 || p.Indicators[0].Latest.Value != 4 {
			t.Fatalf("indicators %+v", p.Indicators)
		}
	})
	t.Run("tells_every_event_as_sentences_with_attendance_counted", func(t *testing.T) {
		if len(rep.Timeline) != int(rep.Programme.Version) || len(rep.Evidence) != len(rep.Timeline) {
			t.Fatalf("%d entries, %d evidence for %d events", len(rep.Timeline), len(rep.Evidence), rep.Programme.Version)
		}
		var counts []string
		for _, e := range rep.Timeline {
			if e.Type == "programme.attendance_recorded" {
				counts = append(counts, e.En)
			}
		}
		if len(counts) != 2 || !strings.Contains(counts[0], "1 persons") || !strings.Contains(counts[1], "2 persons") {
			t.Fatalf("attendance sentences %q", counts)
		}
	})
	t.Run("verifies_with_seal_proofs_and_withholds_attendance_and_site_records", func(t *testing.T) {
		v := rep.Verification
		if !v.OK || v.Sealed == 0 || v.Unsealed != 1 || v.Events != len(rep.Evidence) || v.Key == "" {
			t.Fatalf("verification %+v", v)
		}
		withheld := 0
		for _, e := range rep.Evidence {
			attendance := strings.HasSuffix(rep.Timeline[e.Version-1].Type, "attendance_recorded")
			if e.Withheld != (e.Record == nil) || attendance && !e.Withheld {
				t.Fatalf("evidence v%d: withheld %v with %d record bytes", e.Version, e.Withheld, len(e.Record))
			}
			if !e.Withheld {
				if ev, err := eventstore.DecodeRecord(e.Record); err != nil || ev.Metadata.Tenant != "ews" {
					t.Fatalf("evidence v%d: a record of tenant %q is in the report (%v)", e.Version, ev.Metadata.Tenant, err)
				}
				continue
			}
			withheld++
		}
		if withheld != 4 { // join, two attendances, a value recorded by Leipzig
			t.Fatalf("%d records withheld, want 4", withheld)
		}
		if again := report.VerifyProgramme(&rep, s.key); !again.OK {
			t.Fatalf("offline: %v", again.Problems)
		}
	})
	t.Run("holds_no_personal_data_or_person_ids_in_json_html_or_records", func(t *testing.T) {
		html := s.call("GET", path+"?format=html", "coordinator@ews", nil)
		if html.status != 200 || !strings.HasPrefix(html.header.Get("Content-Type"), "text/html") || !strings.Contains(string(html.body), "EWS Runde 3") {
			t.Fatalf("html: %d %s", html.status, html.body)
		}
		for _, secret := range secrets {
			for name, body := range map[string][]byte{"json": r.body, "html": html.body} {
				if bytes.Contains(body, []byte(secret)) {
					t.Fatalf("%s holds %q", name, secret)
				}
			}
			for _, e := range rep.Evidence {
				if bytes.Contains(e.Record, []byte(secret)) {
					t.Fatalf("record v%d holds %q", e.Version, secret)
				}
			}
		}
	})
	t.Run("fails_offline_when_a_sentence_or_a_withheld_hash_or_position_is_changed", func(t *testing.T) {
		for name, change := range map[string]func(*report.ProgrammeReport){
			"sentence": func(x *report.ProgrammeReport) { x.Timeline[0].En = "Programme opened by nobody." },
			"withheld_hash": func(x *report.ProgrammeReport) {
				for i, e := range x.Evidence {
					if e.Withheld {
						x.Evidence[i].Hash = strings.Repeat("0", 64)
						return
					}
				}
			},
			"indicator_declared": func(x *report.ProgrammeReport) {
				x.Timeline[5].En = strings.Replace(x.Timeline[5].En, "target 10", "target 5", 1)
			},
			"withheld_position": func(x *report.ProgrammeReport) {
				x.Evidence[1].Position, x.Timeline[1].Position = x.Evidence[2].Position, x.Evidence[2].Position
			},
		} {
			var x report.ProgrammeReport
			if err := json.Unmarshal(r.body, &x); err != nil {
				t.Fatal(err)
			}
			change(&x)
			if v := report.VerifyProgramme(&x, s.key); v.OK {
				t.Fatalf("%s changed, still verified", name)
			}
		}
	})
}

func TestAPI_programme_report_roles_and_tenants(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.addTokens([]string{"ews"}, allRoles)
	prog := s.programmeWithHistory("p-1")
	for _, tenant := range []string{"ews", "leipzig", "menden", "*"} {
		for _, role := range allRoles {
			want := 403
			switch {
			case tenant == "menden":
				want = 404
			case tenant == "*" && role != "administrator":
				continue
			case tenant == "*", tenant == "ews" && (role == "administrator" || role == "coordinator" || role == "auditor"):
				want = 200
			}
			t.Run(fmt.Sprintf("%s@%s_gets_%d", role, tenant, want), func(t *testing.T) {
				if r := s.call("GET", "/api/v1/programmes/"+prog+"/report", role+"@"+tenant, nil); r.status != want {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
	}
}
