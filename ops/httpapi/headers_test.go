package httpapi_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Every answer of the API, data or problem, carries the protective headers; HSTS only where the
// client reached it over TLS (directly or through a proxy that says so).
func TestAPI_answers_carry_protective_headers(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Spielplatz")
	cases := []struct {
		name, method, path, who string
		status                  int
	}{
		{"openapi_document", "GET", "/api/openapi.json", "", 200},
		{"health", "GET", "/healthz", "", 200},
		{"json_answer_with_personal_data", "GET", "/api/v1/processes/" + id, "lead@leipzig", 200},
		{"unauthenticated_problem", "GET", "/api/v1/processes", "", 401},
		{"unknown_route_problem", "GET", "/api/v1/nowhere", "lead@leipzig", 404},
		{"bad_request_problem", "GET", "/api/v1/processes/not-a-uuid", "lead@leipzig", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.call(c.method, c.path, c.who, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if got := r.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if got := r.header.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("Strict-Transport-Security %q over plain HTTP", got)
			}
		})
	}
	t.Run("hsts_behind_a_proxy_that_terminates_tls", func(t *testing.T) {
		r := s.call("GET", "/api/v1/processes", "lead@leipzig", nil, "X-Forwarded-Proto", "https")
		if got := r.header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Fatalf("Strict-Transport-Security %q", got)
		}
	})
	t.Run("hsts_when_served_over_tls", func(t *testing.T) {
		req := httptest.NewRequest("GET", "https://civicflow.example/api/v1/processes", nil)
		req.TLS = &tls.ConnectionState{}
		req.Header.Set("Authorization", "Bearer "+s.tokens["lead@leipzig"])
		rec := httptest.NewRecorder()
		s.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Strict-Transport-Security") != "max-age=31536000" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v", rec.Code, rec.Header())
		}
	})
}
