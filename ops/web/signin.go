package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// signinForm shows the sign-in form. It opens an anonymous session for the form's CSRF token.
func (d *Dashboard) signinForm(w http.ResponseWriter, r *http.Request) {
	if d.alreadySignedIn(w, r) { // demo.go
		return
	}
	d.showSignin(w, r, http.StatusOK, "")
}

// showSignin shows the form, with the message of a failed attempt ("" for none).
func (d *Dashboard) showSignin(w http.ResponseWriter, r *http.Request, status int, message string) {
	l := lang(w, r)
	x := d.sessions.get(r)
	if x == nil || x.signedIn() {
		x = d.sessions.create("")
		setSessionCookie(w, r, x)
	}
	rq := request{lang: l, session: x}
	p := d.newPage(r, rq, "signin.title", "", message)
	p.Demo = d.demoChoices(r) // demo.go
	p.OIDC = d.oidc != nil    // oidc.go
	if strings.HasPrefix(message, "oidc.") {
		p.Data, p.OIDCProblem = nil, message
	}
	if err := d.render(w, status, "signin", p); err != nil {
		d.cfg.Logger.Error("web: sign-in form", "err", err)
	}
}

// signin checks the CSRF token and the bearer token, then replaces the anonymous session with a
// new one (a new ID, so a session ID planted before sign-in is worth nothing). The guard throttles
// failed sign-ins per address and token prefix: a refused attempt is answered 429 with
// Retry-After, without a look at its token.
func (d *Dashboard) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	x := d.sessions.get(r)
	if !validCSRF(x, r) {
		d.fail(w, r, http.StatusForbidden)
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	at := throttle.AttemptOf(r, "web", secret)
	if wait := d.cfg.Guard.Wait(at); wait > 0 {
		w.Header().Set("Retry-After", throttle.Seconds(wait))
		d.showSignin(w, r, http.StatusTooManyRequests, "signin.throttled")
		return
	}
	if _, err := d.cfg.Tokens.Authenticate(r.Context(), secret); err != nil {
		reason := throttle.ReasonInvalid
		if secret == "" {
			reason = throttle.ReasonMissing
		}
		if errors.Is(err, tokens.ErrUnauthenticated) {
			d.cfg.Guard.Fail(at, reason)
		}
		d.showSignin(w, r, http.StatusUnauthorized, "signin.failed")
		return
	}
	d.cfg.Guard.Succeed(at)
	d.sessions.drop(x)
	setSessionCookie(w, r, d.sessions.create(secret))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signout ends the session (CSRF-checked, so nobody can sign another person out).
func (d *Dashboard) signout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	x := d.sessions.get(r)
	if !validCSRF(x, r) {
		d.fail(w, r, http.StatusForbidden)
		return
	}
	d.sessions.drop(x)
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
