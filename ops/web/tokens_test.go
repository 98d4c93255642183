package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/web"
)

// tokenID is the ID part of a secret "cf_<id>_<secret>".
func tokenID(secret string) string { return strings.Split(secret, "_")[1] }

// withInstallationAdmin adds an installation administrator's token as "administrator@*".
func withInstallationAdmin(t *testing.T) func(*web.Config, map[string]string) {
	return func(c *web.Config, toks map[string]string) {
		secret, _, err := c.Tokens.Create(context.Background(), "*", "root", "administrator")
		if err != nil {
			t.Fatal(err)
		}
		toks["administrator@*"] = secret
	}
}

func TestTokens_administrators_see_their_tenants_tokens_without_secrets(t *testing.T) {
	s := newSiteConfigured(t, nil, withInstallationAdmin(t))
	for _, tc := range []struct {
		who         string
		see, notSee []string
	}{
		{"administrator@leipzig", []string{"lead@leipzig", "viewer@leipzig", "administrator@leipzig"}, []string{"lead@menden", "administrator@*"}},
		{"administrator@menden", []string{"auditor@menden"}, []string{"auditor@leipzig"}},
		{"administrator@*", []string{"lead@leipzig", "member@menden", "administrator@*"}, nil},
	} {
		t.Run(tc.who, func(t *testing.T) {
			b := s.browser()
			b.signIn(tc.who)
			p := b.get("/tokens")
			if p.status != http.StatusOK {
				t.Fatalf("%d", p.status)
			}
			for _, who := range tc.see {
				if !strings.Contains(p.body, "cf_"+tokenID(s.tokens[who])+"_…") {
					t.Errorf("%s's token is not listed", who)
				}
			}
			for _, who := range tc.notSee {
				if strings.Contains(p.body, tokenID(s.tokens[who])) {
					t.Errorf("%s's token is listed", who)
				}
			}
			for who, secret := range s.tokens {
				if strings.Contains(p.body, secret) || strings.Contains(p.body, strings.Split(secret, "_")[2]) {
					t.Fatalf("the page shows %s's secret", who)
				}
			}
		})
	}
	for _, who := range []string{"lead@leipzig", "member@leipzig", "auditor@leipzig", "viewer@leipzig"} {
		t.Run(who+"_is_refused", func(t *testing.T) {
			b := s.browser()
			b.signIn(who)
			if p := b.get("/tokens"); p.status != http.StatusForbidden {
				t.Fatalf("%d", p.status)
			}
			if p := b.post("/tokens/"+tokenID(s.tokens["viewer@leipzig"])+"/revoke", url.Values{"csrf": {b.csrf}, "reason": {"x"}}); p.status != http.StatusForbidden {
				t.Fatalf("revoke: %d", p.status)
			}
		})
	}
}

func TestTokens_revocation(t *testing.T) {
	s := newSiteConfigured(t, nil, withInstallationAdmin(t))
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	admin.get("/tokens")
	revoke := func(b *browser, who string, form url.Values) page {
		t.Helper()
		return b.post("/tokens/"+tokenID(s.tokens[who])+"/revoke", form)
	}
	valid := func(who string) bool {
		b := s.browser()
		b.get("/signin")
		return b.post("/signin", url.Values{"token": {s.tokens[who]}, "csrf": {b.csrf}}).status == http.StatusSeeOther
	}
	for _, tc := range []struct {
		name, who string
		form      func() url.Values
		status    int
		text      string
	}{
		{"without_the_csrf_token", "member@leipzig", func() url.Values { return url.Values{"reason": {"verloren"}} }, http.StatusForbidden, ""},
		{"with_a_wrong_csrf_token", "member@leipzig", func() url.Values { return url.Values{"csrf": {"forged"}, "reason": {"verloren"}} }, http.StatusForbidden, ""},
		{"without_a_reason_next_to_the_field", "member@leipzig", func() url.Values { return url.Values{"csrf": {admin.csrf}, "reason": {"  "}} }, http.StatusUnprocessableEntity, `aria-describedby="revoke-` + tokenID(s.tokens["member@leipzig"]) + `-error"`},
		{"another_tenants_token", "member@menden", func() url.Values { return url.Values{"csrf": {admin.csrf}, "reason": {"verloren"}} }, http.StatusNotFound, ""},
	} {
		t.Run("refused_"+tc.name, func(t *testing.T) {
			p := revoke(admin, tc.who, tc.form())
			if p.status != tc.status || !strings.Contains(p.body, tc.text) {
				t.Fatalf("%d, want %d with %q\n%s", p.status, tc.status, tc.text, p.body)
			}
			if !valid(tc.who) {
				t.Fatalf("%s's token no longer works", tc.who)
			}
		})
	}
	t.Run("a_lead's_token_revoked_ends_the_lead's_session", func(t *testing.T) {
		lead := s.browser()
		lead.signIn("lead@leipzig")
		p := revoke(admin, "lead@leipzig", url.Values{"csrf": {admin.csrf}, "reason": {"Stelle gewechselt"}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/tokens?done=revoke" {
			t.Fatalf("%d %s", p.status, p.header.Get("Location"))
		}
		if p := admin.get("/tokens?done=revoke&lang=en"); !strings.Contains(p.body, "The token is revoked.") || !strings.Contains(p.body, "revoked (") {
			t.Fatalf("the list does not show the revocation:\n%s", p.body)
		}
		if p := lead.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
			t.Fatalf("the lead's session still works: %d", p.status)
		}
		if valid("lead@leipzig") {
			t.Fatal("the revoked token still signs in")
		}
	})
	t.Run("the_installation's_administrator_revokes_any_tenant's_token", func(t *testing.T) {
		root := s.browser()
		root.signIn("administrator@*")
		root.get("/tokens")
		if p := revoke(root, "member@menden", url.Values{"csrf": {root.csrf}, "reason": {"verloren"}}); p.status != http.StatusSeeOther {
			t.Fatalf("%d", p.status)
		}
		if valid("member@menden") {
			t.Fatal("the revoked token still signs in")
		}
	})
}
