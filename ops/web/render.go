package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	domain "github.com/civicflow/civicflow/domain/template"
)

// pageNames are the page templates; each is parsed with the layout.
var pageNames = []string{"signin", "already", "statement", "templates", "template", "overview", "process", "measures", "stats", "error", "activity", "travel", "auditview", "verify", "tokens", "deadletters"}

// partials are templates a page uses besides the layout and its own.
var partials = map[string][]string{"process": {"templates/forms.html"}, "overview": {"templates/forms.html", "templates/workspace.html"},
	"templates": {"templates/forms.html"},
	"travel":    {"templates/pastfield.html"}, "auditview": {"templates/pastfield.html"}, "template": {"templates/forms.html"}}

// funcs are the template functions besides the page's methods.
var funcs = template.FuncMap{
	// dict builds the argument of a nested template from key/value pairs.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		files := append([]string{"templates/layout.html", "templates/collab.html", "templates/" + name + ".html"}, partials[name]...)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what every template gets: the language, who is signed in, the CSRF token, the page's
// title and its own data.
type page struct {
	Lang      string
	Title     string
	Path      string // the current path, for the language switch
	User      string
	Tenant    string
	Role      string
	SignedIn  bool
	CSRF      string
	Nav       string // the active navigation item
	Data      any
	Generated time.Time
	// Position is the global log position the page's read-model figures are computed up to;
	// empty on pages that read the log itself.
	Position string
	// Demo offers demo users on the sign-in page (serve --demo only; demo.go).
	Demo *demoChoices
	// OIDC offers sign-in with OpenID Connect on the sign-in page (oidc.go); OIDCProblem is the
	// message key of a refused one.
	OIDC        bool
	OIDCProblem string
}

// T translates a message key.
func (p *page) T(key string) string { return translate(p.Lang, key) }

// Text picks a template text in the page's language.
func (p *page) Text(t domain.Text) string { return t.In(p.Lang) }

// Date formats a date.
func (p *page) Date(t time.Time) string { return formatDate(p.Lang, t) }

// DateTime formats a date and time.
func (p *page) DateTime(t time.Time) string { return formatDateTime(p.Lang, t) }

// Pct formats a percentage.
func (p *page) Pct(n int) string { return fmt.Sprintf(p.T("percent"), n) }

// OtherLang is the language the switch offers.
func (p *page) OtherLang() string {
	if p.Lang == langEN {
		return langDE
	}
	return langEN
}

// SwitchURL is the current page in the other language.
func (p *page) SwitchURL() string {
	return p.Path + "?" + url.Values{"lang": {p.OtherLang()}}.Encode()
}

func (d *Dashboard) newPage(r *http.Request, rq request, title, nav string, data any) *page {
	p := &page{Lang: rq.lang, Path: r.URL.Path, Nav: nav, Data: data, Generated: d.cfg.Now()}
	p.Title = p.T(title)
	if rq.session != nil {
		p.CSRF = rq.session.csrf
		p.SignedIn = rq.session.signedIn()
	}
	if p.SignedIn {
		p.User, p.Tenant, p.Role = rq.actor.User, rq.actor.Tenant, rq.actor.Role
	}
	return p
}

// render writes a page; a template failure is a 500 with nothing half-written.
func (d *Dashboard) render(w http.ResponseWriter, status int, name string, p *page) error {
	var buf bytes.Buffer
	if err := d.pages[name].Execute(&buf, p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// fail renders an error page for a request outside the pages behind the sign-in (an unknown
// page, any POST but sign-in and sign-out, a failed CSRF or cross-origin check). When the
// request comes from a signed-in auditor, the refusal is recorded first, like their pages.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, status int) {
	l := lang(w, r)
	if actor, ok := d.signedIn(r); ok {
		w, _ = d.gate(w, r, request{actor: actor, lang: l})
	}
	d.failIn(w, r, l, status)
}

// failIn renders an error page in the language l.
func (d *Dashboard) failIn(w http.ResponseWriter, r *http.Request, l string, status int) {
	rq := request{lang: l, session: d.sessions.get(r)}
	key := map[int]string{http.StatusNotFound: "error.notfound", http.StatusForbidden: "error.forbidden",
		http.StatusServiceUnavailable: "error.unrecorded"}[status]
	if key == "" {
		key = "error.internal"
	}
	p := d.newPage(r, rq, key, "", key+".text")
	p.SignedIn = false // the error page offers no sign-out form (the actor is not known here)
	if err := d.render(w, status, "error", p); err != nil {
		http.Error(w, http.StatusText(status), status)
	}
}
