package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

// refusedPage is a request the dashboard refuses a signed-in person and the record it leaves
// when an auditor made it.
type refusedPage struct {
	name, method, path string
	// form is sent with a POST; csrf adds the session's CSRF token to it.
	form       url.Values
	csrf       bool
	header     []string
	wantStatus int
	// recorded path, query and process
	wantPath, wantQuery, wantProc string
}

func refusedPages(s *site) []refusedPage {
	id, menden := s.leipzig.String(), s.menden.String()
	const missing = "01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f"
	reason := url.Values{"reason": {"Prüfung"}}
	return []refusedPage{
		{"another tenant's process", "GET", "/processes/" + menden, nil, false, nil, 404, "/processes/" + menden, "", menden},
		{"a missing process", "GET", "/processes/" + missing + "?lang=en", nil, false, nil, 404, "/processes/" + missing, "", missing},
		{"a process path that is not a UUID", "GET", "/processes/not-a-uuid", nil, false, nil, 404, "/processes/not-a-uuid", "", ""},
		{"statistics of a missing template", "GET", "/templates/nope/stats", nil, false, nil, 404, "/templates/nope/stats", "", ""},
		{"a page that is not there", "GET", "/nowhere?stage=tender&token=geheim", nil, false, nil, 404, "/nowhere", "stage=tender", ""},
		{"a POST to the overview", "POST", "/", reason, true, nil, 404, "/", "", ""},
		{"a POST to a process", "POST", "/processes/" + id, reason, true, nil, 404, "/processes/" + id, "", id},
		{"a POST of a command", "POST", "/processes/" + id + "/suspend", reason, true, nil, 404, "/processes/" + id + "/suspend", "", id},
		{"a command form (auditors get none)", "POST", "/processes/" + id + "/do/suspend", url.Values{"reason": {"Prüfung"}, "version": {"0"}, "key": {"k1"}}, true, nil, 403,
			"/processes/" + id + "/do/suspend", "", id},
		{"a sign-out without the CSRF token", "POST", "/signout", url.Values{}, false, nil, 403, "/signout", "", ""},
		{"a cross-origin POST", "POST", "/processes/" + id + "/advance", url.Values{}, true, []string{"Sec-Fetch-Site", "cross-site"}, 403,
			"/processes/" + id + "/advance", "", id},
	}
}

// send makes the request of rf in b's session.
func (b *browser) send(rf refusedPage) page {
	b.t.Helper()
	form := url.Values{}
	for k, v := range rf.form {
		form[k] = v
	}
	if rf.csrf {
		form.Set("csrf", b.csrf)
	}
	var body *strings.Reader
	if rf.method == "POST" {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(rf.method, b.s.url+rf.path, body)
	if rf.method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(rf.header); i += 2 {
		req.Header.Set(rf.header[i], rf.header[i+1])
	}
	return b.do(req)
}

func TestAuditors_every_refusal_is_recorded_exactly_once(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("auditor@leipzig")
	b.get("/") // the CSRF token of the signed-in session
	for _, rf := range refusedPages(s) {
		t.Run(rf.name, func(t *testing.T) {
			before := len(auditlogtest.Accesses(t, s.store, "leipzig"))
			if p := b.send(rf); p.status != rf.wantStatus {
				t.Fatalf("%s %s: %d, want %d", rf.method, rf.path, p.status, rf.wantStatus)
			}
			got := auditlogtest.Accesses(t, s.store, "leipzig")
			if len(got) != before+1 {
				t.Fatalf("%d records after one refusal, want %d", len(got), before+1)
			}
			a := got[before]
			wantMethod := strings.TrimPrefix(rf.method, "GET")
			if a.User != "auditor-leipzig" || a.Method != wantMethod || a.Status != rf.wantStatus || a.Path != rf.wantPath ||
				a.Query != rf.wantQuery || a.Process != rf.wantProc || !a.At.Equal(now) {
				t.Fatalf("recorded %+v, want method %q status %d path %s query %q process %q",
					a, wantMethod, rf.wantStatus, rf.wantPath, rf.wantQuery, rf.wantProc)
			}
		})
	}
}

func TestAuditors_refusals_of_others_are_not_recorded(t *testing.T) {
	s := newSite(t)
	for _, who := range []string{"administrator@leipzig", "lead@leipzig", "member@leipzig", "viewer@leipzig", ""} {
		b := s.browser()
		if who != "" {
			b.signIn(who)
			b.get("/") // the CSRF token of the signed-in session
		} else {
			b.get("/signin") // an anonymous session's
		}
		for _, rf := range refusedPages(s) {
			if p := b.send(rf); who != "" && p.status < 400 { // (the signed-out are sent to the sign-in)
				t.Fatalf("%s %s by %q: %d, want a refusal", rf.method, rf.path, who, p.status)
			}
		}
	}
	for _, tenant := range []string{"leipzig", "menden"} {
		if got := auditlogtest.Accesses(t, s.store, tenant); len(got) != 0 {
			t.Fatalf("refusals of others recorded in audit-%s: %+v", tenant, got)
		}
	}
}

func TestAuditors_get_an_error_page_without_the_reason_when_a_refusal_cannot_be_recorded(t *testing.T) {
	s := newSiteWith(t, auditlogtest.Refusing)
	auditor, viewer := s.browser(), s.browser()
	auditor.signIn("auditor@leipzig")
	viewer.signIn("viewer@leipzig")
	viewer.get("/") // the auditor gets no page, so no CSRF token: the refusals do not depend on it
	for _, rf := range refusedPages(s) {
		t.Run(rf.name, func(t *testing.T) {
			p := auditor.send(rf)
			if p.status != http.StatusServiceUnavailable {
				t.Fatalf("%s %s: %d, want 503", rf.method, rf.path, p.status)
			}
			if !strings.Contains(p.body, "Zugriff nicht protokolliert") && !strings.Contains(p.body, "Access not recorded") {
				t.Fatalf("the error page does not say why:\n%s", p.body)
			}
			for _, reason := range []string{"Nicht gefunden", "Not found", "Verboten", "Forbidden", "nicht erlaubt", "not allowed"} {
				if strings.Contains(p.body, reason) {
					t.Fatalf("the 503 page tells the refusal's reason %q", reason)
				}
			}
			if p := viewer.send(rf); p.status != rf.wantStatus {
				t.Fatalf("the viewer's refusal: %d, want %d", p.status, rf.wantStatus)
			}
		})
	}
}
