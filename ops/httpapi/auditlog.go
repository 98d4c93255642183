package httpapi

import (
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/auditgate"
	"github.com/civicflow/civicflow/workflows/auditlog"
)

// errNotRecorded answers an auditor whose read could not be recorded: nothing is sent.
var errNotRecorded = problem(http.StatusServiceUnavailable, "audit_record_failed",
	"Ihr Zugriff als Prüfer:in konnte nicht protokolliert werden; es werden keine Daten ausgegeben. Bitte später erneut versuchen. / "+
		"Your access as an auditor could not be recorded, so no data is sent. Please try again later.")

// gate wraps the writer of an auditor's request: every successful answer to an auditor — a list,
// a template, a process, its history, a past state, a report, a verification — is recorded as
// audit.accessed before it is sent, and refused with 503 audit_record_failed when it cannot be.
// Other actors' writers are returned as they are, with a nil gate.
func (a *API) gate(w http.ResponseWriter, r *http.Request, actor process.Actor) (http.ResponseWriter, *auditgate.Writer) {
	if !a.audit.Records(actor) {
		return w, nil
	}
	read := auditlog.Read{Path: r.URL.Path, Query: r.URL.Query()}
	if strings.Contains(r.Pattern, "/api/v1/processes/{id}") {
		read.Process = r.PathValue("id")
	}
	gw := auditgate.New(w, func() error {
		return a.audit.Record(r.Context(), actor, read)
	}, func(w http.ResponseWriter, err error) {
		a.cfg.Logger.Error("httpapi: auditor's read refused: not recorded", "user", actor.User, "path", r.URL.Path, "err", err)
		writeProblem(w, errNotRecorded)
	})
	return gw, gw
}
