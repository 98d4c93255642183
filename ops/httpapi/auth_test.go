package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/throttle"
)

func TestAPI_accepts_the_bearer_scheme_in_any_case(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		t.Run(scheme, func(t *testing.T) {
			r := s.call("GET", "/api/v1/processes", "", nil, "Authorization", scheme+" "+s.tokens["lead@leipzig"])
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	t.Run("another_scheme_is_401", func(t *testing.T) {
		r := s.call("GET", "/api/v1/processes", "", nil, "Authorization", "Basic "+s.tokens["lead@leipzig"])
		if r.status != http.StatusUnauthorized {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

// serve sends a request from addr straight to the API's handler.
func (s *server) serve(addr, auth, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = addr + ":40000"
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.api.ServeHTTP(rec, req)
	return rec
}

func TestAPI_throttles_failed_authentication(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	var logMu sync.Mutex
	s := newServerOpts(t, serverOpts{guard: &throttle.Config{Logger: slog.New(slog.NewTextHandler(syncWriter{&logMu, &logged}, nil))}})
	t.Run("wrong_tokens_from_one_address_get_429_with_a_retry_after_that_doubles", func(t *testing.T) {
		for i := range 5 {
			if rec := s.serve("192.0.2.1", "Bearer cf_zzzzzzzzzz_wrong", "/api/v1/processes"); rec.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, rec.Code)
			}
		}
		for _, want := range []string{"1", "2", "4"} {
			if rec := s.serve("192.0.2.1", "Bearer cf_yyyyyyyyyy_wrong", "/api/v1/processes"); rec.Code != http.StatusUnauthorized {
				t.Fatalf("the failure itself is answered 401, got %d", rec.Code)
			}
			rec := s.serve("192.0.2.1", "Bearer "+s.tokens["lead@leipzig"], "/api/v1/processes")
			if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != want || !strings.Contains(rec.Body.String(), `"too_many_failed_attempts"`) {
				t.Fatalf("a locked address: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
			}
			s.advance(10 * time.Second)
		}
	})
	t.Run("another_address_with_a_valid_token_is_not_slowed", func(t *testing.T) {
		if rec := s.serve("198.51.100.7", "Bearer "+s.tokens["lead@leipzig"], "/api/v1/processes"); rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("wrong_secrets_for_one_token_prefix_lock_that_prefix_from_every_address", func(t *testing.T) {
		prefix := throttle.Prefix(s.tokens["member@menden"])
		for i := range 6 {
			s.serve("203.0.113."+string(rune('1'+i)), "Bearer "+prefix+"_notthesecret", "/api/v1/processes")
		}
		rec := s.serve("203.0.113.200", "Bearer "+s.tokens["member@menden"], "/api/v1/processes")
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("the locked prefix from a fresh address: %d", rec.Code)
		}
		s.advance(time.Hour)
		if rec := s.serve("203.0.113.200", "Bearer "+s.tokens["member@menden"], "/api/v1/processes"); rec.Code != http.StatusOK {
			t.Fatalf("after the lock: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("the_429_is_in_the_openapi_description", func(t *testing.T) {
		for range 10 {
			s.call("GET", "/api/v1/processes", "", nil, "Authorization", "Bearer cf_xxxxxxxx_guess")
		}
		r := s.call("GET", "/api/v1/processes", "lead@leipzig", nil)
		if r.status != http.StatusTooManyRequests || code(t, r) != "too_many_failed_attempts" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("every_failure_is_logged_without_the_secret", func(t *testing.T) {
		logMu.Lock()
		defer logMu.Unlock()
		log := logged.String()
		for _, want := range []string{"addr=192.0.2.1", "token=cf_zzzzzzzzzz", "path=/api/v1/processes", "reason=invalid", "reason=throttled"} {
			if !strings.Contains(log, want) {
				t.Errorf("the log lacks %q", want)
			}
		}
		if strings.Contains(log, "_wrong") || strings.Contains(log, "notthesecret") {
			t.Errorf("the log holds a secret:\n%s", log)
		}
	})
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
