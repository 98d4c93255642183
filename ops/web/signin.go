package web

import (
	"net/http"
	"strings"
)

// signinForm shows the sign-in form. It opens an anonymous session for the form's CSRF token.
func (d *Dashboard) signinForm(w http.ResponseWriter, r *http.Request) {
	d.showSignin(w, r, http.StatusOK, false)
}

func (d *Dashboard) showSignin(w http.ResponseWriter, r *http.Request, status int, failed bool) {
	l := lang(w, r)
	x := d.sessions.get(r)
	if x == nil || x.secret != "" {
		x = d.sessions.create("")
		setSessionCookie(w, r, x)
	}
	rq := request{lang: l, session: x}
	p := d.newPage(r, rq, "signin.title", "", failed)
	if err := d.render(w, status, "signin", p); err != nil {
		d.cfg.Logger.Error("web: sign-in form", "err", err)
	}
}

// signin checks the CSRF token and the bearer token, then replaces the anonymous session with a
// new one (a new ID, so a session ID planted before sign-in is worth nothing).
func (d *Dashboard) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	x := d.sessions.get(r)
	if !validCSRF(x, r) {
		d.fail(w, r, http.StatusForbidden)
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	if _, err := d.cfg.Tokens.Authenticate(r.Context(), secret); err != nil {
		d.showSignin(w, r, http.StatusUnauthorized, true)
		return
	}
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
