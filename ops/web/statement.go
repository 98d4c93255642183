package web

import (
	"net/http"
	"strings"
)

// statement serves the accessibility statement (Erklärung zur Barrierefreiheit) BITV 2.0
// requires, to everybody (signed in or not): how far the pages conform, what is known not to,
// how they are checked, and where to report a barrier (Config.AccessibilityContact).
func (d *Dashboard) statement(w http.ResponseWriter, r *http.Request) {
	l := lang(w, r)
	rq := request{lang: l, session: d.sessions.get(r)}
	if actor, ok := d.signedIn(r); ok {
		rq.actor = actor
	} else if rq.session != nil && rq.session.signedIn() {
		rq.session = nil
	}
	p := d.newPage(r, rq, "a11y.title", "", nil)
	contact := strings.TrimSpace(d.cfg.AccessibilityContact)
	href := ""
	switch {
	case strings.HasPrefix(contact, "https://") || strings.HasPrefix(contact, "http://"):
		href = contact
	case strings.Contains(contact, "@") && !strings.ContainsAny(contact, " <>\""):
		href = "mailto:" + contact
	}
	p.Data = struct{ Contact, Href string }{contact, href}
	if err := d.render(w, http.StatusOK, "statement", p); err != nil {
		d.cfg.Logger.Error("web: accessibility statement", "err", err)
	}
}
