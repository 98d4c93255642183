package httpapi

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/projections/stagestats"
)

// errNoReadModels answers the read-model routes of a server configured without ReadModels.
var errNoReadModels = problem(http.StatusServiceUnavailable, "unavailable",
	"Lesemodelle auf diesem Server nicht eingerichtet / the read models are not set up on this server")

// tenantFilter is the tenant a read-model query selects for the actor, decided as GET
// /api/v1/processes decides: the installation's users select with ?tenant= (empty: every
// tenant), everybody else sees their own tenant only. visible is false when someone else asked
// for another tenant: its rows are invisible (an empty answer), not forbidden.
func tenantFilter(actor process.Actor, asked string) (tenant string, visible bool) {
	switch {
	case actor.Installation:
		return asked, true
	case asked != "" && asked != actor.Tenant:
		return "", false
	}
	return actor.Tenant, true
}

// processFilter reads the optional ?process= (a UUID; 400 bad_uuid otherwise).
func processFilter(q url.Values) (string, error) {
	s := q.Get("process")
	if s == "" {
		return "", nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		p := problem(http.StatusBadRequest, "bad_uuid", fmt.Sprintf("process: %q ist keine UUID / is not a UUID", s))
		p.Field = "process"
		return "", p
	}
	return id.String(), nil
}

// readModels returns the pool on the read models, or the 503 of a server without one.
func (a *API) readModels() (*sql.DB, error) {
	if a.cfg.ReadModels == nil {
		return nil, errNoReadModels
	}
	return a.cfg.ReadModels, nil
}

// position is how far the named read model is current: the provenance of an empty answer to a
// question about another tenant, read as the read model's own queries read it.
func position(ctx context.Context, db *sql.DB, name string) (string, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	_, pos, err := runner.Active(ctx, tx, name)
	if err != nil {
		return "", err
	}
	return pos.String(), nil
}

// tenantAnswer is a read model's answer for the actor: query's for the tenant the actor may see,
// or, when someone asked for another tenant, the read model's empty answer (none) carrying its
// current position — another tenant's figures are invisible, not forbidden.
func tenantAnswer[R any](r *http.Request, db *sql.DB, actor process.Actor, name string,
	query func(tenant string) (R, error), none func(position string) R) (R, error) {
	tenant, visible := tenantFilter(actor, r.URL.Query().Get("tenant"))
	if visible {
		return query(tenant)
	}
	pos, err := position(r.Context(), db, name)
	return none(pos), err
}

// overview serves GET /api/v1/overview: the process overview read model of a tenant.
func (a *API) overview(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	db, err := a.readModels()
	if err != nil {
		return err
	}
	res, err := tenantAnswer(r, db, actor, overview.Name,
		func(tenant string) (overview.Result, error) {
			return overview.List(r.Context(), db, overview.Query{Tenant: tenant, Now: a.cfg.Clock()})
		},
		func(pos string) overview.Result { return overview.Result{Position: pos, Rows: []overview.Row{}} })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// stageStats serves GET /api/v1/stats/stages: the stage statistics of a tenant, of one template
// or every one.
func (a *API) stageStats(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	db, err := a.readModels()
	if err != nil {
		return err
	}
	res, err := tenantAnswer(r, db, actor, stagestats.Name,
		func(tenant string) (stagestats.Result, error) {
			return stagestats.List(r.Context(), db, stagestats.Query{Tenant: tenant, Template: r.URL.Query().Get("template")})
		},
		func(pos string) stagestats.Result { return stagestats.Result{Position: pos, Rows: []stagestats.Row{}} })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// participation serves GET /api/v1/participation: the participation of a tenant's processes,
// or of one of them.
func (a *API) participation(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	proc, err := processFilter(r.URL.Query())
	if err != nil {
		return err
	}
	db, err := a.readModels()
	if err != nil {
		return err
	}
	res, err := tenantAnswer(r, db, actor, participation.Name,
		func(tenant string) (participation.Result, error) {
			return participation.Summary(r.Context(), db, participation.Query{Tenant: tenant, Process: proc})
		},
		func(pos string) participation.Result {
			return participation.Result{Position: pos, Groups: []participation.Group{}, Sessions: []participation.Format{},
				Contributions: []participation.Day{}}
		})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// measures serves GET /api/v1/measures: the implementation tracker of a tenant's processes, or
// of one of them. Viewers get no personal data: the owners are blanked.
func (a *API) measures(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	proc, err := processFilter(r.URL.Query())
	if err != nil {
		return err
	}
	db, err := a.readModels()
	if err != nil {
		return err
	}
	res, err := tenantAnswer(r, db, actor, implementation.Name,
		func(tenant string) (implementation.Result, error) {
			return implementation.List(r.Context(), db, implementation.Query{Tenant: tenant, Process: proc, Now: a.cfg.Clock()})
		},
		func(pos string) implementation.Result {
			return implementation.Result{Position: pos, Measures: []implementation.Measure{}}
		})
	if err != nil {
		return err
	}
	if !seesPersonalData(actor) {
		for i := range res.Measures {
			res.Measures[i].Owner = ""
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// timelineQuery reads GET …/timeline's limit (1–1000, default 100) and newest (true or false).
func timelineQuery(q url.Values) (limit int, newest bool, err error) {
	limit = 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return 0, false, badQuery("bad_query", "limit", "1–1000")
		}
		limit = n
	}
	switch s := q.Get("newest"); s {
	case "", "false":
	case "true":
		newest = true
	default:
		return 0, false, badQuery("bad_query", "newest", fmt.Sprintf("%q: true oder false / true or false", s))
	}
	return limit, newest, nil
}

// timeline serves GET /api/v1/processes/{id}/timeline: the process's entries in the audit
// timeline read model. Another tenant's or a missing process is 404; viewers get 403, since the
// sentences name users.
func (a *API) timeline(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, newest, err := timelineQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if _, err := a.cfg.Engine.Load(r.Context(), actor, id); err != nil {
		return err
	}
	if !seesPersonalData(actor) {
		return &process.ForbiddenError{Role: actor.Role, Action: "read the timeline (its sentences name users)"}
	}
	db, err := a.readModels()
	if err != nil {
		return err
	}
	tenant, _ := tenantFilter(actor, "")
	res, err := audit.List(r.Context(), db, audit.Query{Process: id.String(), Tenant: tenant, Limit: limit, Newest: newest})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
