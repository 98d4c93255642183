package httpapi

import (
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/report"
)

func init() {
	routes = append(routes, route{"GET", "/api/v1/programmes/{id}/report", false, (*API).programmeReport})
}

// programmeReport serves GET /api/v1/programmes/{id}/report: the programme's audit report as JSON,
// or as a printable page with ?format=html (or Accept: text/html). A programme the actor does not
// see is 404; a member tenant or another role 403.
func (a *API) programmeReport(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := a.cfg.Engine.LoadProgramme(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if !p.ReadsReport(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "read a programme's audit report"}
	}
	format := r.URL.Query().Get("format")
	if format == "" && strings.Contains(r.Header.Get("Accept"), "text/html") {
		format = "html"
	}
	if format != "" && format != "html" && format != "json" {
		return problem(http.StatusBadRequest, "bad_format", "format: nur html oder json / only html or json")
	}
	view, err := a.cfg.Engine.ProgrammeView(r.Context(), actor, id)
	if err != nil {
		return err
	}
	src := report.Sources{Store: a.cfg.Store, Heads: a.cfg.Seals.Heads, Hashes: a.cfg.Seals.Tree}
	rep, err := report.BuildProgramme(r.Context(), src, view, a.cfg.Clock(), a.cfg.Seals.Key)
	if err != nil {
		return err
	}
	rep.RequestedBy = actor.User + " (" + actor.Role + ")"
	if format == "html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return rep.WriteHTML(w)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
