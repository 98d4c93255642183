package web

import (
	"errors"
	"net/http"
	"strings"

	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// tokenRow is one token as an administrator sees it: never its secret (the registry keeps only
// hashes), and its ID, which is not secret (the "cf_<id>" prefix of the token).
type tokenRow struct {
	ID, Tenant, User, Role, Created, RevokedAt string
	Revoked                                    bool
}

// tokensData is the tokens page: the rows, and after a refused revocation the token and the
// problem next to its reason field.
type tokensData struct {
	Rows          []tokenRow
	Done          string
	Failed        string // the ID of the token whose form was refused
	Reason        string // the reason typed into it
	Problem       string
	Installation  bool
	ReasonMaxRune int
}

// reasonMax is the longest reason a revocation takes, in characters.
const reasonMax = 500

// visibleTokens returns the tokens the administrator may see: their tenant's, or every tenant's
// for the installation's administrators.
func (d *Dashboard) visibleTokens(r *http.Request, rq request) ([]tokens.Token, error) {
	if rq.actor.Role != domain.RoleAdministrator {
		return nil, errForbidden
	}
	all, err := d.cfg.Tokens.List(r.Context())
	if err != nil {
		return nil, err
	}
	var out []tokens.Token
	for _, t := range all {
		if rq.actor.Installation || t.Tenant == rq.actor.Tenant {
			out = append(out, t)
		}
	}
	return out, nil
}

// tokensPage serves GET /tokens: administrators' list of their tenant's tokens (403 for other
// roles).
func (d *Dashboard) tokensPage(w http.ResponseWriter, r *http.Request, rq request) error {
	data := tokensData{}
	if r.URL.Query().Get("done") == "revoke" {
		data.Done = "tokens.revoked.done"
	}
	return d.showTokens(w, r, rq, http.StatusOK, data)
}

func (d *Dashboard) showTokens(w http.ResponseWriter, r *http.Request, rq request, status int, data tokensData) error {
	list, err := d.visibleTokens(r, rq)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "tokens.title", "tokens", nil)
	for _, t := range list {
		row := tokenRow{ID: t.ID, Tenant: t.Tenant, User: t.User, Role: t.Role, Created: p.DateTime(t.CreatedAt), Revoked: t.Revoked}
		if t.Revoked {
			row.RevokedAt = p.DateTime(t.RevokedAt)
		}
		data.Rows = append(data.Rows, row)
	}
	data.Installation, data.ReasonMaxRune = rq.actor.Installation, reasonMax
	p.Data = data
	return d.render(w, status, "tokens", p)
}

// revokeToken serves POST /tokens/{id}/revoke (administrators, with the CSRF token and a
// reason): another tenant's token is 404 and stays valid; the reason names who revoked it.
func (d *Dashboard) revokeToken(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !validCSRF(rq.session, r) {
		return errForbidden
	}
	list, err := d.visibleTokens(r, rq)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	found := false
	for _, t := range list {
		found = found || t.ID == id
	}
	if !found {
		return errNotFound
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if problem := reasonProblem(reason); problem != "" {
		return d.showTokens(w, r, rq, http.StatusUnprocessableEntity, tokensData{Failed: id, Reason: reason, Problem: problem})
	}
	err = d.cfg.Tokens.Revoke(r.Context(), id, reason+" (revoked by "+rq.actor.User+" in the dashboard)")
	if errors.Is(err, tokens.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/tokens?done=revoke", http.StatusSeeOther)
	return nil
}

// reasonProblem is the message key of what is wrong with a revocation's reason, or "".
func reasonProblem(reason string) string {
	switch {
	case reason == "":
		return "tokens.reason.missing"
	case len([]rune(reason)) > reasonMax || strings.ContainsFunc(reason, func(c rune) bool { return c < 0x20 || c == 0x7f }):
		return "tokens.reason.invalid"
	}
	return ""
}
