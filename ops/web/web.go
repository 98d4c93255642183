// Package web is civicflow's server-rendered dashboard: the processes of the signed-in user's
// tenant with their stages, a page per process (stage timeline, tasks, approvals, sessions,
// decisions, results, measures and the history from the event store), the implementation tracker
// and statistics per template. Pages are html/template with embedded templates and CSS; charts
// are inline SVG with their numbers also as tables; no JavaScript.
//
// People sign in with a bearer token (POST /signin) and get a server-side session (see
// session.go); every form carries a per-session CSRF token, and cross-origin POSTs are refused
// by http.CrossOriginProtection as well. Tenant and role rules are the API's: another tenant's
// process is 404, viewers see no personal data. German is the default; ?lang=en switches to
// English and a cookie keeps the choice.
//
//	h, err := web.New(web.Config{Engine: eng, Store: store, Tokens: reg, ReadModels: store.ProjectionReadDB()})
//	mux.Handle("/", h)
package web

import (
	"database/sql"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/auditgate"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/workflows/auditlog"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/tokens"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Config configures the dashboard.
type Config struct {
	// Engine loads processes and templates. Required.
	Engine *engine.Engine
	// Store is read for a process's history. Required.
	Store eventstore.Store
	// Tokens authenticates sign-ins and sessions. Required.
	Tokens *tokens.Registry
	// ReadModels is a query-only pool on the SQL read models (projections/overview,
	// implementation, stagestats …), which the overview, the implementation tracker and the
	// statistics show with the log position they are computed up to. Required.
	ReadModels *sql.DB
	// Now is the clock for days in stage and session expiry. Default time.Now.
	Now func() time.Time
	// Demo are the demo users the sign-in page offers with one button each. Only serve --demo
	// sets it; empty (the default) offers none and answers 404 at /signin/demo.
	Demo []DemoUser
	// AccessibilityContact is where people report accessibility barriers (an e-mail address or a
	// URL), named in the accessibility statement at /barrierefreiheit. Optional.
	AccessibilityContact string
	// Verifier verifies a process on the verification page (the API's Verifier). Optional:
	// without it the page says verification is not set up.
	Verifier ProcessVerifier
	// Report is what downloaded audit reports prove their events with (the API's ReportSeals).
	// Optional: without it reports carry no seal and no proofs.
	Report ReportSources
	// OIDC configures sign-in with OpenID Connect beside tokens (oidc.go). Optional: nil offers
	// tokens only and answers 404 at /signin/oidc.
	OIDC *OIDCConfig
	// Logger logs failures. Default slog.Default().
	Logger *slog.Logger
	// Guard throttles failed sign-ins per client address and token prefix, and logs and counts
	// every failure (share the API's). Default: a guard of its own with throttle's defaults on Now
	// and Logger.
	Guard *throttle.Guard
	// Notifiers deliver dead-lettered notifications again from the dead-letters page (the API's
	// Notifiers) and name their recipients. Optional: without them a replay says notifications
	// are not configured.
	Notifiers *notify.Notifiers
}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	if c.Engine == nil {
		errs = append(errs, errors.New("web: Engine is required"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("web: Store is required"))
	}
	if c.Tokens == nil {
		errs = append(errs, errors.New("web: Tokens is required"))
	}
	if c.ReadModels == nil {
		errs = append(errs, errors.New("web: ReadModels is required"))
	}
	return errors.Join(errs...)
}

// Dashboard serves the web pages. It is safe for concurrent use.
type Dashboard struct {
	cfg      Config
	sessions *sessions
	pages    map[string]*template.Template
	audit    *auditlog.Recorder
	oidc     *oidcSignin // nil without Config.OIDC
	handler  http.Handler
}

// New returns the dashboard.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Guard == nil {
		g, err := throttle.New(throttle.Config{Clock: cfg.Now, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		cfg.Guard = g
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	rec, err := auditlog.New(auditlog.Config{Store: cfg.Store, Clock: cfg.Now})
	if err != nil {
		return nil, err
	}
	d := &Dashboard{cfg: cfg, sessions: newSessions(cfg.Now), pages: pages, audit: rec, oidc: newOIDCSignin(cfg.OIDC)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", serveCSS)
	mux.HandleFunc("GET /signin", d.signinForm)
	mux.HandleFunc("POST /signin", d.signin)
	mux.HandleFunc("POST /signout", d.signout)
	mux.HandleFunc("POST /signin/demo", d.demoSignin)
	mux.HandleFunc("GET /signin/oidc", d.oidcStart)
	mux.HandleFunc("GET /signin/oidc/callback", d.oidcCallback)
	mux.HandleFunc("GET /barrierefreiheit", d.statement)
	for _, pg := range signedInPages {
		mux.Handle(pg.pattern, d.auth(func(w http.ResponseWriter, r *http.Request, rq request) error {
			return pg.handle(d, w, r, rq)
		}))
	}
	// Command forms (actions.go): through the same sign-in and auditor gate as the pages.
	mux.Handle("POST /processes/{id}/do/{command}", d.auth(d.act))
	mux.Handle("POST /processes/open", d.auth(d.openProcess))
	mux.Handle("POST /templates", d.auth(d.publishTemplate))
	mux.Handle("POST /templates/{id}/versions/{version}/retire", d.auth(d.retireTemplate))
	// Administrators' tokens (tokens.go); not in signedInPages: auditors get 403 (recorded).
	mux.Handle("GET /tokens", d.auth(d.tokensPage))
	mux.Handle("POST /tokens/{id}/revoke", d.auth(d.revokeToken))
	// Dead-lettered notifications (deadletters.go): administrators replay, auditors read.
	mux.Handle("POST /notifications/dead-letters/{id}/replay", d.auth(d.replayDeadLetter))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.fail(w, r, http.StatusNotFound)
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.fail(w, r, http.StatusForbidden)
	}))
	d.handler = securityHeaders(cop.Handler(mux))
	return d, nil
}

// signedInPages are the pages behind the sign-in; every one an auditor gets is recorded.
// signedInPage is a page for signed-in users: its route pattern and its handler.
type signedInPage struct {
	pattern string
	handle  func(d *Dashboard, w http.ResponseWriter, r *http.Request, rq request) error
}

var signedInPages = []signedInPage{
	{"GET /{$}", (*Dashboard).overview},
	{"GET /measures", (*Dashboard).measures},
	{"GET /processes/{id}", (*Dashboard).processPage},
	{"GET /templates/{id}/stats", (*Dashboard).stats},
	{"GET /activity", (*Dashboard).activity},
	{"GET /templates", (*Dashboard).templateList},
	{"GET /templates/{id}", (*Dashboard).templateShow},
	{"GET /notifications/dead-letters", (*Dashboard).deadLettersPage},
	// Auditors' pages (timetravel.go, auditview.go).
	{"GET /processes/{id}/past", (*Dashboard).travel},
	{"GET /processes/{id}/compare", (*Dashboard).travel},
	{"GET /processes/{id}/history", (*Dashboard).historyPage},
	{"GET /processes/{id}/verify", (*Dashboard).verifyPage},
	{"GET /processes/{id}/report", (*Dashboard).reportDownload},
}

// ServeHTTP serves the dashboard.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.handler.ServeHTTP(w, r) }

// securityHeaders forbids scripts, framing and content sniffing: the pages need none of it.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func serveCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(styleCSS)
}

// request is what a signed-in page handler gets.
type request struct {
	actor   process.Actor
	session *session
	lang    string
}

// auth lets signed-in people through and sends the others to the sign-in form.
func (d *Dashboard) auth(h func(w http.ResponseWriter, r *http.Request, rq request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := lang(w, r)
		x := d.sessions.get(r)
		if x == nil || !x.signedIn() {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		actor, ok := d.sessionActor(r, x)
		if !ok {
			d.sessions.drop(x)
			clearSessionCookie(w, r)
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		rq := request{actor: actor, session: x, lang: l}
		w, gw := d.gate(w, r, rq)
		if err := h(w, r, rq); err != nil {
			if errors.Is(err, process.ErrNotFound) || errors.Is(err, errNotFound) {
				d.failIn(w, r, l, http.StatusNotFound)
				return
			}
			if errors.Is(err, errForbidden) {
				d.failIn(w, r, l, http.StatusForbidden)
				return
			}
			d.cfg.Logger.Error("web: page failed", "path", r.URL.Path, "err", err)
			d.failIn(w, r, l, http.StatusInternalServerError)
			return
		}
		if gw != nil {
			gw.Done()
		}
	})
}

// gate wraps the writer of an auditor's request: every page (and every download) an auditor gets
// and every refusal (4xx: another tenant's process, a page that is not there, any POST but
// sign-in and sign-out) is recorded as audit.accessed, with the method and status, before it is
// sent, and replaced by an error page (503) when it cannot be. Other people's writers are
// returned as they are, with a nil gate.
func (d *Dashboard) gate(w http.ResponseWriter, r *http.Request, rq request) (http.ResponseWriter, *auditgate.Writer) {
	if !d.audit.Records(rq.actor) {
		return w, nil
	}
	read := auditlog.Read{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Process: auditgate.ProcessInPath(r.URL.Path, "/processes/")}
	gw := auditgate.New(w, func(status int) error {
		read.Status = status
		return d.audit.Record(r.Context(), rq.actor, read)
	}, func(w http.ResponseWriter, err error) {
		d.cfg.Logger.Error("web: auditor's request refused: not recorded", "user", rq.actor.User, "method", r.Method, "path", r.URL.Path, "err", err)
		d.failIn(w, r, rq.lang, http.StatusServiceUnavailable)
	})
	return gw, gw
}

// signedIn returns who the request's session is signed in as, if its token is still valid. It
// changes nothing: the pages behind the sign-in end a session whose token is not.
func (d *Dashboard) signedIn(r *http.Request) (process.Actor, bool) {
	return d.sessionActor(r, d.sessions.get(r))
}

// sessionActor returns who a session is signed in as: the actor an OpenID Connect sign-in gave
// it, or its bearer token's, authenticated again (a revoked token's session is over).
func (d *Dashboard) sessionActor(r *http.Request, x *session) (process.Actor, bool) {
	switch {
	case x == nil || !x.signedIn():
		return process.Actor{}, false
	case x.actor != nil:
		return *x.actor, true
	}
	tok, err := d.cfg.Tokens.Authenticate(r.Context(), x.secret)
	if err != nil {
		return process.Actor{}, false
	}
	return tok.Actor(), true
}

var errNotFound = errors.New("web: not found")

// errForbidden answers 403: the page exists but not for the actor's role.
var errForbidden = errors.New("web: forbidden")
