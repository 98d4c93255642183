package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/web"
)

func TestSignIn_while_signed_in(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("member@leipzig")
	for _, l := range []struct{ query, want string }{{"", "Sie sind bereits angemeldet als"}, {"?lang=en", "You are already signed in as"}} {
		t.Run("says_as_whom_and_keeps_the_session"+strings.ReplaceAll(l.query, "?lang=", "_in_"), func(t *testing.T) {
			p := b.get("/signin" + l.query)
			if p.status != http.StatusOK || !strings.Contains(p.body, l.want) || !strings.Contains(p.body, "<strong>member-leipzig</strong>") || strings.Contains(p.body, `id="token"`) {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			if p.header.Get("Set-Cookie") != "" && strings.Contains(p.header.Get("Set-Cookie"), "civicflow_session") {
				t.Fatal("the page replaced the session cookie")
			}
			if home := b.get("/"); home.status != http.StatusOK {
				t.Fatalf("the session ended: %d", home.status)
			}
		})
	}
}

func TestSignIn_demo_users(t *testing.T) {
	s := newSiteConfigured(t, nil, func(c *web.Config, tokens map[string]string) {
		c.Demo = []web.DemoUser{{Tenant: "leipzig", User: "lead-leipzig", Role: "lead", Name: "Lea Lindner", Secret: tokens["lead@leipzig"]}}
	})
	t.Run("a_link_per_demo_user_offers_one_button_that_signs_in", func(t *testing.T) {
		b := s.browser()
		p := b.get("/signin?demo=lead-leipzig@leipzig")
		if !strings.Contains(p.body, "Anmelden als lead-leipzig@leipzig (lead, Lea Lindner)") || strings.Contains(p.body, s.tokens["lead@leipzig"]) {
			t.Fatalf("the sign-in page:\n%s", p.body)
		}
		got := b.post("/signin/demo", url.Values{"csrf": {b.csrf}, "user": {"lead-leipzig@leipzig"}})
		if got.status != http.StatusSeeOther || got.header.Get("Location") != "/" {
			t.Fatalf("%d %q", got.status, got.header.Get("Location"))
		}
		if home := b.get("/"); !strings.Contains(home.body, "<strong>lead-leipzig</strong>") {
			t.Fatal("not signed in as the demo lead")
		}
	})
	t.Run("refuses_an_unknown_demo_user", func(t *testing.T) {
		b := s.browser()
		b.get("/signin")
		if got := b.post("/signin/demo", url.Values{"csrf": {b.csrf}, "user": {"admin@leipzig"}}); got.status != http.StatusUnauthorized {
			t.Fatalf("%d", got.status)
		}
	})
	t.Run("outside_demo_mode_there_is_no_demo_sign_in", func(t *testing.T) {
		plain := newSite(t)
		b := plain.browser()
		if p := b.get("/signin"); strings.Contains(p.body, "/signin/demo") {
			t.Fatal("the sign-in page offers demo users")
		}
		if got := b.post("/signin/demo", url.Values{"csrf": {b.csrf}, "user": {"lead-leipzig@leipzig"}}); got.status != http.StatusNotFound {
			t.Fatalf("%d", got.status)
		}
	})
}
