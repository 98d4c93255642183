package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignIn_throttles_failed_attempts(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.get("/signin")
	for i := range 5 {
		if p := b.post("/signin", url.Values{"token": {"cf_guessguess_wrong"}, "csrf": {b.csrf}}); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.status)
		}
	}
	b.post("/signin", url.Values{"token": {"cf_guessguess_wrong"}, "csrf": {b.csrf}})
	t.Run("then_even_the_right_token_gets_429_with_retry_after_and_a_message", func(t *testing.T) {
		p := b.post("/signin", url.Values{"token": {s.tokens["lead@leipzig"]}, "csrf": {b.csrf}})
		if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") != "1" || !strings.Contains(p.body, "Zu viele fehlgeschlagene Anmeldeversuche") {
			t.Fatalf("got %d Retry-After %q\n%s", p.status, p.header.Get("Retry-After"), p.body)
		}
	})
}
