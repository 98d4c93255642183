package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/httpapi"
)

// validBodies holds a valid body of every command, the fuzzer's seeds; a test checks that every
// served command has one.
var validBodies = map[string]string{
	"complete_task":        `{"task":"define_subject","evidence":"Vermerk vom 3. März\nmit Anlage"}`,
	"reopen_task":          `{"task":"define_subject","reason":"Vermerk fehlt"}`,
	"grant_approval":       `{"approval":"department_head","note":"freigegeben"}`,
	"revoke_approval":      `{"approval":"department_head","reason":"zurückgezogen"}`,
	"advance":              `{}`,
	"set_date":             `{"date":"announced_at","value":"2025-03-03T10:00:00Z","note":"Amtsblatt"}`,
	"extend_deadline":      `{"deadline":"call_publication","days":3,"reason":"Feiertage","approved_by":"frank"}`,
	"go_back":              `{"to":"tender","reason":"neu ausschreiben"}`,
	"register_participant": `{"participant":"p1","group":"citizens","name":"Erika Mustermann","email":"erika@example.org"}`,
	"withdraw_participant": `{"participant":"p1","reason":"verzogen"}`,
	"schedule_session":     `{"session":"s1","title":"Werkstatt","format":"workshop","date":"2025-04-01T17:00:00+02:00","place":"Rathaus","online":false}`,
	"hold_session":         `{"session":"s1","attendance":23,"notes":"lebhaft"}`,
	"record_contribution":  `{"session":"s1","participant":"p1","topic":"Bänke","text":"Mehr Schatten"}`,
	"record_decision":      `{"subject":"Spielgeräte","model":"majority","outcome":"angenommen","votes":{"yes":7,"no":2,"abstain":1}}`,
	"publish_result":       `{"title":"Dokumentation","summary":"Ergebnisse","url":"https://example.org/doku"}`,
	"define_measure":       `{"measure":"m1","title":"Sonnensegel","owner":"Grünflächenamt","due":"2025-09-01T00:00:00Z"}`,
	"report_progress":      `{"measure":"m1","progress":40,"status":"on_track","note":"bestellt"}`,
	"suspend":              `{"reason":"Haushaltssperre"}`,
	"resume":               `{}`,
	"cancel":               `{"reason":"Rat hat abgelehnt"}`,
	"complete":             `{}`,
	"migrate":              `{"to_version":1,"stage_mapping":{"tender":"tender"},"reason":"neue Fassung"}`,
	"set_open_data":        `{"public":true}`,
}

// fuzzTarget is one command route with a valid body.
type fuzzTarget struct{ path, who, body string }

// fuzzTargets lists every command route; each process command goes to a process of its own (open
// returns its ID), so that one fuzzed cancel does not end the others' process.
func fuzzTargets(open func() string) []fuzzTarget {
	out := []fuzzTarget{
		{"/api/v1/processes", "lead@leipzig", `{"template":"beteiligung-standard","title":"Spielplatz","lead":"anna","programme":"EWS"}`},
		{"/api/v1/templates", "administrator@leipzig", `{"id":"fuzz","title":{"de":"Fuzz","en":"Fuzz"},"stages":[{"key":"one","title":{"de":"Eins","en":"One"},"tasks":[{"key":"t","title":{"de":"T","en":"T"},"required":true}]}]}`},
		{"/api/v1/templates/fuzz/versions/1/retire", "administrator@leipzig", `{"reason":"ersetzt"}`},
	}
	for _, name := range httpapi.Commands() {
		out = append(out, fuzzTarget{"/api/v1/processes/" + open() + "/" + name, "administrator@leipzig", validBodies[name]})
	}
	return out
}

func TestFuzzSeeds_cover_every_command(t *testing.T) {
	t.Parallel()
	for _, name := range httpapi.Commands() {
		if validBodies[name] == "" {
			t.Errorf("no valid body for %s", name)
		}
	}
}

// FuzzCommandBodies sends random JSON bodies to every command route of an API served in process
// and fails on any 5xx, an error that is not a problem detail, or no answer within 10 s. Seeds: a
// valid body of every command on its own route.
func FuzzCommandBodies(f *testing.F) {
	s := newServer(f)
	targets := fuzzTargets(func() string { return s.open("leipzig", "Fuzz") })
	for i, tg := range targets {
		f.Add(uint8(i), []byte(tg.body))
	}
	f.Add(uint8(0), []byte(`{"template":"beteiligung-standard","title":"A","title":"B"}`))
	f.Add(uint8(3), []byte("{\"task\":\"x\xff\"}"))
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		tg := targets[int(route)%len(targets)]
		req := httptest.NewRequest("POST", tg.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.tokens[tg.who])
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { s.api.ServeHTTP(rec, req); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("POST %s %q: no answer within 10 s", tg.path, body)
		}
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q → %d %s", tg.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("POST %s %q → %d without a problem detail: %s", tg.path, body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusTooManyRequests {
			t.Fatalf("an authenticated client was throttled")
		}
	})
}
