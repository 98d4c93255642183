package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// AuditAccessed is the event "audit.accessed" in the stream "audit-<tenant>": an auditor read a
// process, its history or a past state. It holds no personal data.
type AuditAccessed struct {
	// User is the auditor.
	User string `json:"user"`
	// Path is the request path; Query keeps only the known, harmless parameters.
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Process is the process read.
	Process string `json:"process"`
	// At is when the server answered.
	At time.Time `json:"at"`
}

// TypeAuditAccessed is the wire name of AuditAccessed.
const TypeAuditAccessed = "audit.accessed"

// AuditStream is the stream of a tenant's audit accesses.
func AuditStream(tenant string) string { return "audit-" + tenant }

// auditedQuery lists the query parameters an audit.accessed event keeps; anything else (a
// token someone put in the URL, a user name) is dropped.
var auditedQuery = []string{"at", "version", "from", "limit", "type", "from_time", "to_time"}

// audited reports whether reads of the route by an auditor are recorded: a process, its history
// or a past state.
func audited(rt route) bool {
	return rt.method == http.MethodGet && strings.HasPrefix(rt.path, "/api/v1/processes/{id}")
}

// recordAccess appends audit.accessed for a successful read by an auditor. Best effort: a failure
// is logged, the reader still gets the answer.
func (a *API) recordAccess(r *http.Request, actor process.Actor) {
	if actor.Role != template.RoleAuditor {
		return
	}
	q := url.Values{}
	for _, k := range auditedQuery {
		if v, ok := r.URL.Query()[k]; ok {
			q[k] = v
		}
	}
	ev := AuditAccessed{User: actor.User, Path: r.URL.Path, Query: q.Encode(), Process: r.PathValue("id"), At: a.cfg.Clock()}
	err := a.appendAccess(r.Context(), actor, ev)
	if err != nil {
		a.cfg.Logger.Error("httpapi: audit access not recorded", "user", actor.User, "path", r.URL.Path, "err", err)
	}
}

func (a *API) appendAccess(ctx context.Context, actor process.Actor, ev AuditAccessed) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, err = a.cfg.Store.Append(ctx, AuditStream(actor.Tenant), eventstore.Any, eventstore.EventData{
		ID: eventstore.NewEventID(), Type: TypeAuditAccessed, SchemaVersion: 1, Data: data,
		Metadata: eventstore.Metadata{Tenant: actor.Tenant, Actor: actor.User}})
	return err
}
