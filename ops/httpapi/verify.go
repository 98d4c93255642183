package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/verify"
)

// Verifier verifies the record for auditors: hash chains, continuity of the global log, seals and
// read models, of the whole store or one process. *verify.Verifier is one.
type Verifier interface {
	// Store verifies the whole store.
	Store(ctx context.Context) verify.Report
	// Process verifies one process; verify.ErrNoProcess when it has no events.
	Process(ctx context.Context, id string) (verify.Report, error)
}

// errNoVerifier answers the verification routes of a server configured without a Verifier.
var errNoVerifier = problem(http.StatusServiceUnavailable, "unavailable", "Prüfung auf diesem Server nicht eingerichtet / verification is not set up on this server")

// verifyStore serves POST /api/v1/audit/verify: the whole store, for the installation (tenant
// "*": administrators, and auditors should such tokens exist); a tenant's users get 403, since
// the report names every tenant's streams — a tenant's auditor verifies its processes one by one
// or a database copy offline. The answer is 200 with "ok": false when something is broken.
func (a *API) verifyStore(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	if !actor.Installation || !mayReport(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "verify the whole store (the installation's administrators only; auditors verify processes)"}
	}
	if a.cfg.Verifier == nil {
		return errNoVerifier
	}
	rep := a.cfg.Verifier.Store(r.Context())
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// verifyProcess serves POST /api/v1/processes/{id}/verify: one process, for auditors and
// administrators of its tenant (and of the installation). Another tenant's process is 404.
func (a *API) verifyProcess(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := a.cfg.Engine.Load(r.Context(), actor, id); errors.Is(err, process.ErrNotFound) {
		return err
	} else if err != nil {
		// The process cannot be loaded — damaged, perhaps, which is what verifying is for: decide
		// who may see it by the tenant its first event was recorded for.
		if err := a.visibleRaw(r.Context(), actor, id.String()); err != nil {
			return err
		}
	}
	if !mayReport(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "verify a process (auditors and administrators only)"}
	}
	if a.cfg.Verifier == nil {
		return errNoVerifier
	}
	rep, err := a.cfg.Verifier.Process(r.Context(), id.String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// visibleRaw is ErrNotFound unless the actor may read the process whose stream's first event was
// recorded for the actor's tenant, read without decoding the events.
func (a *API) visibleRaw(ctx context.Context, actor process.Actor, id string) error {
	first, err := a.cfg.Store.ReadStream(ctx, "process-"+id, eventstore.ReadStreamOptions{Limit: 1})
	if err != nil {
		return err
	}
	if len(first) == 0 || !actor.Sees(first[0].Metadata.Tenant) || !actor.Allowed(process.ActRead) {
		return process.ErrNotFound
	}
	return nil
}
