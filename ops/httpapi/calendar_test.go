package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// The OpenAPI check of recorded responses reads the calendar as plain text.
func init() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) }

// unfold joins folded content lines (RFC 5545 3.1) after checking the CRLFs and the 75-octet limit.
func unfold(t *testing.T, doc string) []string {
	t.Helper()
	if !strings.HasSuffix(doc, "\r\n") || strings.Contains(strings.ReplaceAll(doc, "\r\n", ""), "\n") {
		t.Fatalf("lines do not all end with CRLF:\n%q", doc)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(doc, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets or broken UTF-8: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

const feedTemplate = `{"id": "einwendungen", "title": {"de": "Einwendungen", "en": "Objections"},
 "stages": [{"key": "collect", "title": {"de": "Sammeln", "en": "Collect"}}, {"key": "done", "title": {"de": "Fertig", "en": "Done"}}],
 "deadlines": [{"key": "objections", "title": {"de": "Einwendungsfrist", "en": "Period for objections"}, "stage": "collect",
   "kind": "minimum", "days": 14, "remind_days": [7, 1], "legal_basis": "§ 73 Abs. 4 VwVfG"}]}`

func TestCalendarFeed_lists_period_ends_with_alarms_and_coming_sessions(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if r := s.call("POST", "/api/v1/templates", "administrator@leipzig", feedTemplate); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	r := s.call("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "einwendungen", "title": "Planfeststellung Radweg, Abschnitt 2"})
	if r.status != http.StatusCreated {
		t.Fatalf("open: %d %s", r.status, r.body)
	}
	id := r.json(t)["process"].(string)
	title := "Erörterungstermin; Öffentlichkeit, Behörden und Träger öffentlicher Belange – mit Übersetzung"
	if r := s.call("POST", "/api/v1/processes/"+id+"/schedule_session", "member@leipzig", map[string]any{
		"title": title, "format": "information_event", "date": "2025-03-20T17:00:00Z", "place": "Rathaus, Saal 1"}); r.status >= 300 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/api/v1/processes/"+id+"/schedule_session", "member@leipzig", map[string]any{
		"title": "Gemeinschaft der Praxis", "format": "community_of_practice", "date": "2025-03-27T15:30:00Z",
		"place": "Stadtteilzentrum", "duration_minutes": 90, "rrule": "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=6"}); r.status >= 300 {
		t.Fatalf("schedule the series: %d %s", r.status, r.body)
	}
	feed := s.call("GET", "/api/v1/calendar.ics", "viewer@leipzig", nil)
	if feed.status != http.StatusOK || !strings.HasPrefix(feed.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("%d %s", feed.status, feed.header.Get("Content-Type"))
	}
	lines := unfold(t, string(feed.body))
	doc := strings.Join(lines, "\n")
	for _, want := range []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//civicflow//Fristen und Termine//DE",
		// opened Monday 3 March 2025: 14 days end on Monday 17 March, 24:00 in Berlin
		"DTSTART:20250317T230000Z", `SUMMARY:Fristende / period ends: Einwendungsfrist – Planfeststellung Radweg\, Abschnitt 2`,
		"TRIGGER:-P7D", "TRIGGER:-P1D", "§ 73 Abs. 4 VwVfG",
		"DTSTART:20250320T170000Z", `SUMMARY:Erörterungstermin\; Öffentlichkeit\, Behörden und Träger öffentlicher Belange – mit Übersetzung – Planfeststellung`,
		`LOCATION:Rathaus\, Saal 1`, "END:VCALENDAR",
		// the series: every four weeks on Thursdays, 90 minutes each
		"DTSTART:20250327T153000Z", "DURATION:PT90M", "RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=6",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the feed lacks %q:\n%s", want, doc)
		}
	}
	if n := strings.Count(doc, "BEGIN:VEVENT"); n != 3 {
		t.Errorf("%d events, want 3", n)
	}
	other := unfold(t, string(s.call("GET", "/api/v1/calendar.ics", "lead@menden", nil).body))
	if strings.Contains(strings.Join(other, "\n"), "VEVENT") {
		t.Errorf("another tenant sees leipzig's events")
	}
	if r := s.call("GET", "/api/v1/calendar.ics", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.status)
	}
}

func TestCalendarFeed_lists_a_programmes_shared_series_for_its_tenants_only(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.addTokens([]string{"ews"}, []string{"coordinator"})
	prog, _ := s.newProgramme(10)
	base := "/api/v1/programmes/" + prog
	if r := s.call("POST", base+"/schedule_session", "coordinator@ews", map[string]any{"session": "cop", "title": "Netzwerktreffen",
		"format": "community_of_practice", "date": "2025-03-27T15:30:00Z", "online": true, "duration_minutes": 90,
		"rrule": "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=12"}); r.status != http.StatusOK {
		t.Fatalf("schedule the series: %d %s", r.status, r.body)
	}
	r := s.call("POST", base+"/schedule_session", "coordinator@ews", map[string]any{"title": "Werkstatt", "format": "workshop",
		"date": "2025-04-01T09:00:00Z", "online": true, "rrule": "FREQ=WEEKLY;BYDAY=XX;COUNT=2"})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"rrule"`) {
		t.Fatalf("a bad rrule: %d %s, want 422 naming the field rrule", r.status, r.body)
	}
	for _, who := range []string{"coordinator@ews", "viewer@leipzig"} {
		doc := strings.Join(unfold(t, string(s.call("GET", "/api/v1/calendar.ics", who, nil).body)), "\n")
		for _, want := range []string{"UID:programme-session-" + prog + "-cop@civicflow", "SUMMARY:Netzwerktreffen – EWS Runde 3",
			"DTSTART:20250327T153000Z", "DURATION:PT90M", "RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=12"} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s: the feed lacks %q:\n%s", who, want, doc)
			}
		}
	}
	if doc := string(s.call("GET", "/api/v1/calendar.ics", "viewer@menden", nil).body); strings.Contains(doc, "Netzwerktreffen") {
		t.Errorf("a tenant outside the programme sees its sessions:\n%s", doc)
	}
}
