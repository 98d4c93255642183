package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/auditlog"
	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

// auditedPage is a page an auditor reads and the record it must leave.
type auditedPage struct {
	name, pattern, path           string
	wantPath, wantQuery, wantProc string
}

func auditedPages(s *site) []auditedPage {
	id := s.leipzig.String()
	return []auditedPage{
		{"overview", "GET /{$}", "/", "/", "", ""},
		{"overview in English", "GET /{$}", "/?lang=en", "/", "", ""},
		{"implementation tracker", "GET /measures", "/measures", "/measures", "", ""},
		{"process with its history", "GET /processes/{id}", "/processes/" + id, "/processes/" + id, "", id},
		{"statistics", "GET /templates/{id}/stats", "/templates/beteiligung-standard/stats", "/templates/beteiligung-standard/stats", "", ""},
		{"activity", "GET /activity", "/activity", "/activity", "", ""},
		{"templates", "GET /templates", "/templates", "/templates", "", ""},
		{"a template's versions", "GET /templates/{id}", "/templates/beteiligung-standard", "/templates/beteiligung-standard", "", ""},
	}
}

func TestAuditors_every_page_read_is_recorded_exactly_once(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	if n := len(auditlogtest.Accesses(t, s.store, "leipzig")); n != 0 {
		t.Fatalf("signing in recorded %d reads", n)
	}
	pages := append(append(append(append(auditedPages(s), programmePages(s)...), auditorPages(s)...), attendancePages(s)...), deadLettersPage)
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			before := len(auditlogtest.Accesses(t, s.store, "leipzig"))
			if p := b.get(pg.path); p.status != http.StatusOK {
				t.Fatalf("GET %s: %d", pg.path, p.status)
			}
			got := auditlogtest.Accesses(t, s.store, "leipzig")
			if len(got) != before+1 {
				t.Fatalf("%d records after one page, want %d", len(got), before+1)
			}
			a := got[before]
			if a.User != "auditor-leipzig" || a.Path != pg.wantPath || a.Query != pg.wantQuery || a.Process != pg.wantProc || !a.At.Equal(now) ||
				a.Method != "" || a.Status != 0 {
				t.Fatalf("recorded %+v, want path %s query %q process %q", a, pg.wantPath, pg.wantQuery, pg.wantProc)
			}
		})
	}
	t.Run("every page behind the sign-in is in the table", func(t *testing.T) {
		for _, pattern := range web.SignedInPages() {
			if !slices.ContainsFunc(pages, func(pg auditedPage) bool { return pg.pattern == pattern }) {
				t.Errorf("%s: no audited page in the table", pattern)
			}
		}
	})
	t.Run("the sign-in form is not recorded", func(t *testing.T) {
		before := len(auditlogtest.Accesses(t, s.store, "leipzig"))
		if p := b.get("/signin"); p.status != http.StatusOK {
			t.Fatalf("GET /signin: %d", p.status)
		}
		if n := len(auditlogtest.Accesses(t, s.store, "leipzig")); n != before {
			t.Fatalf("%d records for the sign-in form", n-before)
		}
	})
}

func TestAuditors_pages_read_by_others_are_not_recorded(t *testing.T) {
	s := newSite(t)
	for _, who := range []string{"administrator@leipzig", "lead@leipzig", "member@leipzig", "viewer@leipzig"} {
		b := s.browser()
		b.signIn(who)
		for _, pg := range auditedPages(s) {
			want := http.StatusOK
			if who == "viewer@leipzig" && pg.path == "/activity" { // the sentences name users
				want = http.StatusForbidden
			}
			if p := b.get(pg.path); p.status != want {
				t.Fatalf("%s GET %s: %d, want %d", who, pg.path, p.status, want)
			}
		}
	}
	if got := auditlogtest.Accesses(t, s.store, "leipzig"); len(got) != 0 {
		t.Fatalf("reads by others recorded: %+v", got)
	}
}

func TestAuditors_get_no_page_when_the_read_cannot_be_recorded(t *testing.T) {
	s := newSiteWith(t, auditlogtest.Refusing)
	auditor, lead := s.browser(), s.browser()
	auditor.signIn("auditor@leipzig")
	lead.signIn("lead@leipzig")
	for _, pg := range auditedPages(s) {
		t.Run(pg.name, func(t *testing.T) {
			p := auditor.get(pg.path)
			if p.status != http.StatusServiceUnavailable {
				t.Fatalf("GET %s: %d, want 503", pg.path, p.status)
			}
			if !strings.Contains(p.body, "Zugriff nicht protokolliert") && !strings.Contains(p.body, "Access not recorded") {
				t.Fatalf("the error page does not say why:\n%s", p.body)
			}
			// (The path itself is in the page: its language switch links to it.)
			for _, data := range []string{"Spielplatz", "Erika", "Sandkasten", "Ausschreibung", "Median"} {
				if strings.Contains(p.body, data) {
					t.Fatalf("the refusal shows %q", data)
				}
			}
			if p := lead.get(pg.path); p.status != http.StatusOK {
				t.Fatalf("the lead's page: %d", p.status)
			}
		})
	}
	if p := auditor.get("/?lang=en"); !strings.Contains(p.body, "Your access as an auditor could not be recorded") {
		t.Fatalf("English refusal:\n%s", p.body)
	}
}

var formAction = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]*)"`)

// Auditors are read-only: no page offers them a form that posts but sign-out (the time travel's
// and the history filter's forms are GETs), and a POST to any page,
// with a valid CSRF token, changes nothing in the store.
func TestAuditors_are_read_only(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	for _, pg := range append(auditedPages(s), auditorPages(s)...) {
		p := b.get(pg.path)
		for _, m := range formAction.FindAllStringSubmatch(p.body, -1) {
			if m[1] != "/signout" {
				t.Errorf("%s offers an auditor the form %s", pg.path, m[1])
			}
		}
	}
	head, err := s.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := s.leipzig.String()
	paths := []string{"/", "/measures", "/processes/" + id, "/processes/" + id + "/advance", "/processes/" + id + "/suspend",
		"/templates/beteiligung-standard/stats", "/api/v1/processes/" + id + "/suspend"}
	for _, path := range paths {
		p := b.post(path, url.Values{"csrf": {b.csrf}, "reason": {"Prüfung"}})
		if p.status < 400 {
			t.Errorf("POST %s as an auditor: %d", path, p.status)
		}
	}
	// Nothing but the record of each refused POST was written.
	written, err := s.store.ReadAll(context.Background(), eventstore.ReadAllOptions{After: head, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(paths) {
		t.Fatalf("%d events written for %d refused POSTs", len(written), len(paths))
	}
	for _, ev := range written {
		if ev.Type != auditlog.Type || ev.Stream != auditlog.Stream("leipzig") {
			t.Fatalf("an auditor's POST wrote %s to %s", ev.Type, ev.Stream)
		}
	}
}
