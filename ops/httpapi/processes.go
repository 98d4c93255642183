package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/engine"
)

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		p := problem(http.StatusBadRequest, "bad_uuid", fmt.Sprintf("%q ist keine UUID / is not a UUID", r.PathValue("id")))
		p.Field = "id"
		return uuid.Nil, p
	}
	return id, nil
}

// expected reads If-Match: a quoted (or bare) version, or * for any.
func expected(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return engine.NoExpectation, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		p := problem(http.StatusBadRequest, "bad_header", fmt.Sprintf("If-Match %q: erwartet eine Version wie \"3\" / expected a version such as \"3\"", h))
		p.Field = "If-Match"
		return 0, p
	}
	return v, nil
}

// catchUpList lets every reader of the process list see every write acknowledged before its
// request: it waits, at most a second, until the list has applied the log as far as it reached
// when the request came (the answer's position says how far the list is current either way).
// Commands do not wait for the list; the wait is the reader's, and short.
func (a *API) catchUpList(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := a.cfg.List.CatchUp(ctx, a.cfg.Store); err != nil {
		a.cfg.Logger.Warn("the process list did not catch up with the log", "err", err)
	}
}

func (a *API) openProcess(w http.ResponseWriter, r *http.Request, actor process.Actor) (err error) {
	var res engine.Result
	defer a.observe("open", time.Now(), &res, &err)
	var in engine.OpenProcess
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.commandMeta(r, actor, "/api/v1/processes", in)
	if err != nil {
		return err
	}
	res, err = a.cfg.Engine.Open(r.Context(), m, in)
	if err != nil {
		return err
	}
	writeOpened(w, "/api/v1/processes/"+res.Process.String(), res.Version, res.Duplicate, res)
	return nil
}

// writeOpened answers a command that opened something at location: 201, or 200 for a duplicate.
func writeOpened(w http.ResponseWriter, location string, version int64, duplicate bool, body any) {
	w.Header().Set("Location", location)
	w.Header().Set("ETag", etag(version))
	status := http.StatusCreated
	if duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, body)
}

// commandInput reads a command's body into cmd, its If-Match and its context, with its
// Idempotency-Key bound to the request on route (commandMeta).
func (a *API) commandInput(r *http.Request, actor process.Actor, route string, cmd any) (int64, process.Meta, error) {
	if err := decodeJSON(r, cmd); err != nil {
		return 0, process.Meta{}, err
	}
	exp, err := expected(r)
	if err != nil {
		return 0, process.Meta{}, err
	}
	m, err := a.commandMeta(r, actor, route, cmd)
	return exp, m, err
}

// commandName is the command a request names: the last segment of its route's pattern, or the
// {command} of the route that answers unknown commands.
func commandName(r *http.Request) string {
	if name := r.PathValue("command"); name != "" {
		return name
	}
	return r.Pattern[strings.LastIndex(r.Pattern, "/")+1:]
}

func (a *API) command(w http.ResponseWriter, r *http.Request, actor process.Actor) (err error) {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := commandName(r)
	newCmd, ok := commands[name]
	if !ok {
		return problem(http.StatusNotFound, "unknown_command", fmt.Sprintf("Unbekannter Befehl / unknown command %q", name))
	}
	var res engine.Result
	defer a.observe(name, time.Now(), &res, &err)
	cmd := newCmd()
	exp, m, err := a.commandInput(r, actor, "/api/v1/processes/"+id.String()+"/"+name, cmd)
	if err != nil {
		return err
	}
	res, err = a.cfg.Engine.Do(r.Context(), m, id, exp, cmd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(res.Version))
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) listProcesses(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	q := r.URL.Query()
	query := processlist.Query{Template: q.Get("template"), Stage: q.Get("stage"), Status: q.Get("status"),
		Programme: q.Get("programme"), After: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			p := problem(http.StatusBadRequest, "bad_query", "limit: 1–500")
			p.Field = "limit"
			return p
		}
		query.Limit = n
	}
	switch tenant, visible := tenantFilter(actor, q.Get("tenant")); {
	case !visible:
		query.Tenants = []string{} // another tenant's processes are invisible, not forbidden
	case tenant != "":
		query.Tenants = []string{tenant}
	}
	a.catchUpList(r.Context())
	page, err := a.cfg.List.Query(query)
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []processlist.Summary{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (a *API) showProcess(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("at") != "" || q.Get("version") != "" {
		return a.pastState(w, r, actor, id)
	}
	p, err := a.cfg.Engine.Load(r.Context(), actor, id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, a.view(r.Context(), p, actor))
	return nil
}

// pastState answers the process as it was at an instant (?at=RFC 3339) or a version (?version=N).
func (a *API) pastState(w http.ResponseWriter, r *http.Request, actor process.Actor, id uuid.UUID) error {
	q, err := parsePast(r.URL.Query())
	if err != nil {
		return err
	}
	p, asOf, err := a.cfg.Engine.PastState(r.Context(), actor, id, q)
	var beyond *engine.BeyondError
	if errors.As(err, &beyond) {
		pr := problem(http.StatusNotFound, "version_not_found", fmt.Sprintf("version: Version %d gibt es nicht, das Verfahren ist bei Version %d / version %d does not exist, the process is at version %d",
			beyond.Requested, beyond.Current, beyond.Requested, beyond.Current))
		pr.Field, pr.CurrentVersion = "version", &beyond.Current
		return pr
	}
	if err != nil {
		return err
	}
	v := a.view(r.Context(), p, actor)
	v.AsOf = &asOf
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, v)
	return nil
}

// parsePast reads ?at= or ?version= (one of them, not both).
func parsePast(q url.Values) (engine.Past, error) {
	var past engine.Past
	if q.Get("at") != "" && q.Get("version") != "" {
		p := problem(http.StatusBadRequest, "bad_query", "at, version: nur eines von beiden / only one of them")
		p.Field = "at, version"
		return past, p
	}
	if s := q.Get("at"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			p := problem(http.StatusBadRequest, "bad_date", fmt.Sprintf("at %q: erwartet RFC 3339 / expected RFC 3339, e.g. 2025-03-01T12:00:00+01:00", s))
			p.Field = "at"
			return past, p
		}
		past.At = t
	}
	if s := q.Get("version"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			p := problem(http.StatusBadRequest, "bad_query", "version: eine positive ganze Zahl / a positive whole number")
			p.Field = "version"
			return past, p
		}
		past.Version = n
	}
	return past, nil
}

func (a *API) erase(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	m, err := a.meta(r, actor)
	if err != nil {
		return err
	}
	person := r.PathValue("person")
	if err := a.cfg.Engine.ErasePerson(r.Context(), m, person); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"person": person, "status": "erased"})
	return nil
}
