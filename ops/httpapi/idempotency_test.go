package httpapi_test

import (
	"net/http"
	"testing"
)

// An Idempotency-Key is bound to its request: the exact replay is answered as a duplicate, the same
// key with another body, another command or another route is 422 idempotency_key_reused and
// changes nothing.
func TestAPI_idempotency_key_is_bound_to_its_request(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz")
	base := "/api/v1/processes/" + id
	first := s.call("POST", base+"/complete_task", "lead@leipzig", `{"task":"define_subject","evidence":"Vermerk"}`, "Idempotency-Key", "k-1")
	if first.status != http.StatusOK {
		t.Fatalf("%d %s", first.status, first.body)
	}
	opened := s.call("POST", "/api/v1/processes", "lead@leipzig", `{"template":"beteiligung-standard","title":"Radweg"}`, "Idempotency-Key", "open-1")
	if opened.status != http.StatusCreated {
		t.Fatalf("%d %s", opened.status, opened.body)
	}
	reused := []struct{ name, path, body, key string }{
		{"another_body", base + "/complete_task", `{"task":"define_subject","evidence":"anderer Vermerk"}`, "k-1"},
		{"another_command", base + "/suspend", `{"reason":"Haushaltssperre"}`, "k-1"},
		{"another_task", base + "/complete_task", `{"task":"define_scope","evidence":"Vermerk"}`, "k-1"},
		{"another_open", "/api/v1/processes", `{"template":"beteiligung-standard","title":"Fußweg"}`, "open-1"},
		{"a_command_under_the_key_of_the_open", "/api/v1/processes/" + opened.json(t)["process"].(string) + "/suspend", `{"reason":"x"}`, "open-1"},
	}
	for _, c := range reused {
		t.Run("refuses_"+c.name, func(t *testing.T) {
			before := s.events()
			r := s.call("POST", c.path, "lead@leipzig", c.body, "Idempotency-Key", c.key)
			if r.status != http.StatusUnprocessableEntity || code(t, r) != "idempotency_key_reused" || r.json(t)["field"] != "Idempotency-Key" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if after := s.events(); after != before {
				t.Fatalf("%d events written", after-before)
			}
		})
	}
	replays := []struct{ name, path, body, key string }{
		{"the_exact_replay", base + "/complete_task", `{"task":"define_subject","evidence":"Vermerk"}`, "k-1"},
		{"the_same_body_in_another_order_and_spacing", base + "/complete_task", "{ \"evidence\" : \"Vermerk\",\n \"task\":\"define_subject\" }", "k-1"},
		{"the_same_open", "/api/v1/processes", `{"title":"Radweg","template":"beteiligung-standard"}`, "open-1"},
	}
	for _, c := range replays {
		t.Run("answers_"+c.name+"_as_a_duplicate", func(t *testing.T) {
			r := s.call("POST", c.path, "lead@leipzig", c.body, "Idempotency-Key", c.key)
			if r.status != http.StatusOK || r.json(t)["duplicate"] != true {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
}
