package httpapi

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/auditgate"
	"github.com/civicflow/civicflow/workflows/auditlog"
)

// errNotRecorded answers an auditor whose access could not be recorded: nothing is sent.
var errNotRecorded = problem(http.StatusServiceUnavailable, "audit_record_failed",
	"Ihr Zugriff als Prüfer:in konnte nicht protokolliert werden; es werden keine Daten ausgegeben. Bitte später erneut versuchen. / "+
		"Your access as an auditor could not be recorded, so no data is sent. Please try again later.")

// gate wraps the writer of an auditor's request: every successful answer to an auditor — a list,
// a template, a process, its history, a past state, a report, a verification — and every refusal
// (4xx: a command, another tenant's or a missing process, a bad query) is recorded as
// audit.accessed, with the method and status, before it is sent, and replaced by 503
// audit_record_failed when it cannot be. Other actors' writers are returned as they are, with a
// nil gate.
func (a *API) gate(w http.ResponseWriter, r *http.Request, actor process.Actor) (http.ResponseWriter, *auditgate.Writer) {
	if !a.audit.Records(actor) {
		return w, nil
	}
	read := auditlog.Read{Method: r.Method, Path: safePath(r.URL.Path), Query: r.URL.Query(), Process: processRead(r)}
	gw := auditgate.New(w, func(status int) error {
		read.Status = status
		return a.audit.Record(r.Context(), actor, read)
	}, func(w http.ResponseWriter, err error) {
		a.cfg.Logger.Error("httpapi: auditor's request refused: not recorded", "user", actor.User, "method", r.Method, "path", safePath(r.URL.Path), "err", err)
		writeProblem(w, errNotRecorded)
	})
	return gw, gw
}

// safePath is a request path as it may be recorded and logged: the person that
// /api/v1/persons/{person}/… names stays only when it is an opaque person ID (a UUID, or
// "<tenant>:<uuid>"); anything else, such as an e-mail address typed where the ID belongs, or a
// short person ID of an old history, reads "{person}".
func safePath(path string) string {
	const persons = "/api/v1/persons/"
	rest, ok := strings.CutPrefix(path, persons)
	if !ok {
		return path
	}
	person, tail, more := strings.Cut(rest, "/")
	id := person
	if _, after, qualified := strings.Cut(person, ":"); qualified {
		id = after
	}
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		return path
	}
	if more {
		tail = "/" + tail
	}
	return persons + "{person}" + tail
}

// processRead is the process a request reads: the one its path names (/api/v1/processes/{id}…)
// or, for the read models' figures of one process (/api/v1/participation?process=…,
// /api/v1/measures?process=…), the one its query names; as given, if it is a UUID, else "".
func processRead(r *http.Request) string {
	if id := auditgate.ProcessInPath(r.URL.Path, "/api/v1/processes/"); id != "" {
		return id
	}
	id := r.URL.Query().Get("process")
	if _, err := uuid.Parse(id); err != nil {
		return ""
	}
	return id
}
