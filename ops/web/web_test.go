package web_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/ops/web"
)

func TestSignIn(t *testing.T) {
	s := newSite(t)

	t.Run("sends_people_without_a_session_to_the_sign_in_form", func(t *testing.T) {
		p := s.browser().get("/")
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
			t.Fatalf("got %d %q", p.status, p.header.Get("Location"))
		}
	})

	t.Run("the_form_has_a_labelled_token_field_and_a_csrf_token", func(t *testing.T) {
		p := s.browser().get("/signin")
		for _, want := range []string{`<label for="token">Token</label>`, `id="token" name="token"`, `name="csrf"`, `<html lang="de">`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("sign-in form lacks %s", want)
			}
		}
	})

	t.Run("sets_a_session_cookie_httponly_samesite_and_secure_only_over_tls", func(t *testing.T) {
		for _, tls := range []bool{false, true} {
			b := s.browser()
			b.get("/signin")
			req, _ := http.NewRequest("POST", s.url+"/signin", strings.NewReader(url.Values{"token": {s.tokens["lead@leipzig"]}, "csrf": {b.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tls {
				req.Header.Set("X-Forwarded-Proto", "https")
			}
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "civicflow_session" {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != tls || session.MaxAge != 8*3600 {
				t.Fatalf("tls=%v: session cookie %+v", tls, session)
			}
		}
	})

	t.Run("a_new_session_id_after_sign_in", func(t *testing.T) {
		b := s.browser()
		b.get("/signin")
		u, _ := url.Parse(s.url)
		before := b.c.Jar.Cookies(u)[0].Value
		b.post("/signin", url.Values{"token": {s.tokens["lead@leipzig"]}, "csrf": {b.csrf}})
		if after := b.c.Jar.Cookies(u)[0].Value; after == before {
			t.Fatal("the session ID did not change at sign-in")
		}
	})

	t.Run("refuses_a_wrong_token_with_the_form_again", func(t *testing.T) {
		b := s.browser()
		b.get("/signin")
		p := b.post("/signin", url.Values{"token": {"cf_nope_nope"}, "csrf": {b.csrf}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "ungültig") || !strings.Contains(p.body, `aria-invalid="true"`) {
			t.Fatalf("got %d %s", p.status, p.body)
		}
	})

	t.Run("sign_out_ends_the_session", func(t *testing.T) {
		b := s.browser()
		b.signIn("lead@leipzig")
		b.get("/")
		p := b.post("/signout", url.Values{"csrf": {b.csrf}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
			t.Fatalf("sign-out: %d", p.status)
		}
		if p := b.get("/"); p.status != http.StatusSeeOther {
			t.Fatalf("after sign-out / is %d", p.status)
		}
	})
}

func TestCSRF(t *testing.T) {
	s := newSite(t)
	cases := []struct {
		name, path string
		form       func(b *browser) url.Values
	}{
		{"sign_in_without_a_token", "/signin", func(b *browser) url.Values { return url.Values{"token": {s.tokens["lead@leipzig"]}} }},
		{"sign_in_with_a_wrong_token", "/signin", func(b *browser) url.Values {
			return url.Values{"token": {s.tokens["lead@leipzig"]}, "csrf": {b.csrf + "x"}}
		}},
		{"sign_out_without_a_token", "/signout", func(b *browser) url.Values { return url.Values{} }},
		{"sign_out_with_a_wrong_token", "/signout", func(b *browser) url.Values { return url.Values{"csrf": {"forged"}} }},
	}
	for _, c := range cases {
		t.Run("refuses_"+c.name, func(t *testing.T) {
			b := s.browser()
			if c.path == "/signout" {
				b.signIn("lead@leipzig")
				b.get("/")
			} else {
				b.get("/signin")
			}
			p := b.post(c.path, c.form(b))
			if p.status != http.StatusForbidden {
				t.Fatalf("got %d", p.status)
			}
			if c.path == "/signout" {
				if p := b.get("/"); p.status != http.StatusOK {
					t.Fatalf("the refused sign-out ended the session: %d", p.status)
				}
			}
		})
	}
	t.Run("refuses_a_cross_origin_post", func(t *testing.T) {
		b := s.browser()
		b.get("/signin")
		req, _ := http.NewRequest("POST", s.url+"/signin", strings.NewReader(url.Values{"token": {s.tokens["lead@leipzig"]}, "csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := b.do(req); p.status != http.StatusForbidden {
			t.Fatalf("got %d", p.status)
		}
	})
}

func TestTenantsAndRoles(t *testing.T) {
	s := newSite(t)

	t.Run("another_tenants_process_is_404", func(t *testing.T) {
		b := s.browser()
		b.signIn("lead@leipzig")
		if p := b.get("/processes/" + s.menden.String()); p.status != http.StatusNotFound || !strings.Contains(p.body, "Nicht gefunden") {
			t.Fatalf("got %d", p.status)
		}
		if p := b.get("/"); strings.Contains(p.body, "Menden") {
			t.Fatal("Leipzig's overview shows Menden's process")
		}
		if p := b.get("/processes/not-a-uuid"); p.status != http.StatusNotFound {
			t.Fatalf("a bad ID: %d", p.status)
		}
	})

	t.Run("members_see_names_viewers_do_not", func(t *testing.T) {
		for who, sees := range map[string]bool{"member@leipzig": true, "auditor@leipzig": true, "viewer@leipzig": false} {
			b := s.browser()
			b.signIn(who)
			p := b.get("/processes/" + s.leipzig.String())
			if p.status != http.StatusOK {
				t.Fatalf("%s: %d", who, p.status)
			}
			for _, personal := range []string{"Erika Mustermann", "erika@example.org", "lead-leipzig", "Grünflächenamt"} {
				if personal == "erika@example.org" {
					if strings.Contains(p.body, personal) {
						t.Errorf("%s sees the e-mail address", who)
					}
					continue
				}
				if strings.Contains(p.body, personal) != sees {
					t.Errorf("%s: sees %q = %v, want %v", who, personal, !sees, sees)
				}
			}
			if !strings.Contains(p.body, "Bürgerinnen und Bürger") || !strings.Contains(p.body, "Sandkasten erneuern") {
				t.Errorf("%s does not see the group count or the measure", who)
			}
			if m := b.get("/measures"); strings.Contains(m.body, "Grünflächenamt") != sees {
				t.Errorf("%s: measures page shows the owner = %v", who, !sees)
			}
		}
	})
}

func TestPages(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("lead@leipzig")

	t.Run("overview_lists_the_tenants_processes_with_a_chart", func(t *testing.T) {
		p := b.get("/")
		for _, want := range []string{"Spielplatz Lindenauer Markt", "Ausschreibung", `role="img"`, "<caption>", `scope="col"`, "/templates/beteiligung-standard/stats"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("overview lacks %s", want)
			}
		}
	})

	t.Run("process_page_has_timeline_tasks_and_history", func(t *testing.T) {
		p := b.get("/processes/" + s.leipzig.String())
		for _, want := range []string{"<h1>Spielplatz Lindenauer Markt</h1>", `class="stage current"`, "Beschluss 12/2025",
			"Verfahren eröffnet", "Aufgabe erledigt", "Maßnahme festgelegt", "<title"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("process page lacks %s", want)
			}
		}
	})

	t.Run("measures_and_stats_render", func(t *testing.T) {
		if p := b.get("/measures"); !strings.Contains(p.body, "Sandkasten erneuern") || !strings.Contains(p.body, "0 %") {
			t.Errorf("measures: %d", p.status)
		}
		if p := b.get("/templates/beteiligung-standard/stats"); p.status != 200 || !strings.Contains(p.body, "Median") {
			t.Errorf("stats: %d", p.status)
		}
		if p := b.get("/templates/nope/stats"); p.status != http.StatusNotFound {
			t.Errorf("unknown template: %d", p.status)
		}
	})

	t.Run("switches_to_english_and_keeps_it", func(t *testing.T) {
		p := b.get("/?lang=en")
		if !strings.Contains(p.body, `<html lang="en">`) || !strings.Contains(p.body, "Processes per stage") || !strings.Contains(p.body, `href="/?lang=de"`) {
			t.Fatalf("English overview:\n%s", p.body)
		}
		if p := b.get("/processes/" + s.leipzig.String()); !strings.Contains(p.body, "Stage timeline") || !strings.Contains(p.body, "Process opened") {
			t.Fatal("the language did not stick")
		}
		if p := b.get("/?lang=de"); !strings.Contains(p.body, "Verfahren je Phase") {
			t.Fatal("no way back to German")
		}
	})
}

// Every message key a template or the code uses exists in German and English.
func TestEveryMessageIsInBothLanguages(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("administrator@leipzig")
	for _, lang := range []string{"de", "en"} {
		for _, path := range []string{"/", "/processes/" + s.leipzig.String(), "/measures", "/templates/beteiligung-standard/stats", "/nope"} {
			if p := b.get(path + "?lang=" + lang); strings.Contains(p.body, "??") {
				t.Errorf("%s in %s shows a missing message: %s", path, lang, regexp.MustCompile(`\?\?[a-z._]+`).FindString(p.body))
			}
		}
	}
	entries, _ := os.ReadDir("templates")
	keys := regexp.MustCompile(`\.T "([a-z0-9._]+)"`)
	for _, e := range entries {
		src, _ := os.ReadFile("templates/" + e.Name())
		for _, m := range keys.FindAllStringSubmatch(string(src), -1) {
			if !web.HasMessage(m[1]) {
				t.Errorf("%s uses %q, which has no message", e.Name(), m[1])
			}
		}
	}
}
