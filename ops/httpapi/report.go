package httpapi

import (
	"net/http"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/report"
)

// ReportSeals is what audit reports prove their events with.
type ReportSeals struct {
	// Heads lists the signed tree heads. Default: none; reports carry no seal.
	Heads report.HeadLister
	// Tree reads the log's Merkle tree for inclusion proofs. Default: none; no proofs.
	Tree tlog.HashReader
	// Key checks the heads' signature in the report's verification. Default: not checked.
	Key note.Verifier
}

// mayReport reports whether the actor may read audit reports: auditors and administrators (of
// the process's tenant, or of the installation).
func mayReport(a process.Actor) bool {
	return a.Role == template.RoleAuditor || a.Role == template.RoleAdministrator
}

// report serves GET /api/v1/processes/{id}/report: the process's audit report in its JSON form,
// with the evidence to verify it offline. Another tenant's process is 404; other roles 403.
func (a *API) report(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := a.cfg.Engine.Load(r.Context(), actor, id); err != nil {
		return err
	}
	if !mayReport(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "read audit reports"}
	}
	src := report.Sources{Store: a.cfg.Store, Heads: a.cfg.Seals.Heads, Hashes: a.cfg.Seals.Tree}
	rep, err := report.Build(r.Context(), src, id, a.cfg.Clock(), a.cfg.Seals.Key)
	if err != nil {
		return err
	}
	rep.RequestedBy = actor.User + " (" + actor.Role + ")"
	writeJSON(w, http.StatusOK, rep)
	return nil
}
