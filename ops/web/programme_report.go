package web

import (
	"bytes"
	"net/http"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/workflows/report"
)

// The programme's audit report as a download, linked from the programme page for who may read
// it (the API's GET /api/v1/programmes/{id}/report answers the same report).
func init() {
	signedInPages = append(signedInPages, signedInPage{"GET /programmes/{id}/report", (*Dashboard).programmeReport})
	messages["programme.report"] = [2]string{"Prüfbericht des Programms", "Programme audit report"}
}

// programmeReport serves GET /programmes/{id}/report?format=html|json: a programme the actor does
// not see is 404, a reader who may not read its report 403.
func (d *Dashboard) programmeReport(w http.ResponseWriter, r *http.Request, rq request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	p, err := d.cfg.Engine.LoadProgramme(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	if !p.ReadsReport(rq.actor) {
		return errForbidden
	}
	format := r.URL.Query().Get("format")
	types := map[string]string{"": "text/html; charset=utf-8", "html": "text/html; charset=utf-8", "json": "application/json"}
	if types[format] == "" {
		return errNotFound
	}
	view, err := d.cfg.Engine.ProgrammeView(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	src := report.Sources{Store: d.cfg.Store, Heads: d.cfg.Report.Heads, Hashes: d.cfg.Report.Tree}
	rep, err := report.BuildProgramme(r.Context(), src, view, d.cfg.Now(), d.cfg.Report.Key)
	if err != nil {
		return err
	}
	rep.RequestedBy = rq.actor.User + " (" + rq.actor.Role + ")"
	var buf bytes.Buffer
	if format == "json" {
		err = rep.WriteJSON(&buf)
	} else {
		err = rep.WriteHTML(&buf)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", types[format])
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
