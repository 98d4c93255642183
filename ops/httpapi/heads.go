package httpapi

import (
	"io"
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/headsfile"
)

// auditHeads serves GET /api/v1/audit/heads: the server's heads file, one signed note per line
// (ops/headsfile's encoding), for auditors and administrators of any tenant to keep a copy.
func (a *API) auditHeads(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	if !mayReport(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "read the signed heads (auditors and administrators only)"}
	}
	if a.cfg.Heads == nil {
		return problem(http.StatusServiceUnavailable, "unavailable", "Keine Kopfdatei auf diesem Server / no heads file on this server")
	}
	heads, err := a.cfg.Heads(r.Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, h := range heads {
		b.WriteString(headsfile.Encode(h) + "\n")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = io.WriteString(w, b.String())
	return err
}
