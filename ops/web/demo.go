package web

import (
	"net/http"
)

// DemoUser is a demo user whom the sign-in page offers with one button (serve --demo only).
type DemoUser struct {
	// Tenant, User and Role say who the user is; Name is shown beside them.
	Tenant, User, Role, Name string
	// Secret is the user's bearer token; it never reaches the page.
	Secret string
}

// Label is how the sign-in page and serve's links name the user: "user@tenant".
func (u DemoUser) Label() string { return u.User + "@" + u.Tenant }

// demoChoices are the demo users the sign-in page offers, the one named by ?demo= first.
type demoChoices struct {
	Picked *DemoUser
	Users  []DemoUser
}

func (d *Dashboard) demoChoices(r *http.Request) *demoChoices {
	if len(d.cfg.Demo) == 0 {
		return nil
	}
	c := &demoChoices{Users: d.cfg.Demo}
	for i, u := range d.cfg.Demo {
		if u.Label() == r.URL.Query().Get("demo") {
			c.Picked = &d.cfg.Demo[i]
		}
	}
	return c
}

// demoSignin signs a demo visitor in as the demo user they picked (POST /signin/demo, CSRF-
// checked like the token form); without demo users the path is not there.
func (d *Dashboard) demoSignin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	x := d.sessions.get(r)
	if len(d.cfg.Demo) == 0 {
		d.fail(w, r, http.StatusNotFound)
		return
	}
	if !validCSRF(x, r) {
		d.fail(w, r, http.StatusForbidden)
		return
	}
	for _, u := range d.cfg.Demo {
		if u.Label() == r.PostFormValue("user") {
			if _, err := d.cfg.Tokens.Authenticate(r.Context(), u.Secret); err != nil {
				break
			}
			d.sessions.drop(x)
			setSessionCookie(w, r, d.sessions.create(u.Secret))
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	}
	d.showSignin(w, r, http.StatusUnauthorized, "signin.failed")
}

// alreadySignedIn answers GET /signin for a signed-in person: a page that says as whom, with the
// sign-out and a link to the overview, instead of a sign-in form whose use would end the session.
func (d *Dashboard) alreadySignedIn(w http.ResponseWriter, r *http.Request) bool {
	actor, ok := d.signedIn(r)
	if !ok {
		return false
	}
	l := lang(w, r)
	rq := request{actor: actor, session: d.sessions.get(r), lang: l}
	p := d.newPage(r, rq, "signin.already.title", "", nil)
	if err := d.render(w, http.StatusOK, "already", p); err != nil {
		d.cfg.Logger.Error("web: already signed in", "err", err)
	}
	return true
}
