package httpapi

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/projections/opendata"
)

// openData serves GET /api/v1/opendata/{tenant} without a token: the tenant's public processes
// (opendata.Build) as JSON, or as CSV with ?format=csv or Accept: text/csv. An unknown tenant is
// 404 and counts as a failed attempt of the client's address in the guard, so that tenants
// cannot be enumerated faster than tokens can be guessed; a client the guard holds back gets 429
// before the tenant is looked up.
func (a *API) openData(w http.ResponseWriter, r *http.Request, _ process.Actor) error {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	at := throttle.AttemptOf(r, "api", "")
	if wait := a.cfg.Guard.Wait(at); wait > 0 {
		return throttled(wait)
	}
	csv, err := wantsCSV(r)
	if err != nil {
		return err
	}
	db, err := a.readModels()
	if err != nil {
		return err
	}
	a.catchUpList(r.Context())
	ds, err := opendata.Build(r.Context(), a.cfg.List, db, opendata.Options{Tenant: r.PathValue("tenant"), BaseURL: baseURL(r)})
	if errors.Is(err, opendata.ErrUnknownTenant) {
		a.cfg.Guard.Fail(at, throttle.ReasonUnknownTenant)
		return problem(http.StatusNotFound, "not_found", "Keine solche Kommune / no such tenant")
	}
	if err != nil {
		return err
	}
	if csv {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="opendata-`+safeName(ds.Publisher.Name)+`.csv"`)
		w.WriteHeader(http.StatusOK)
		return ds.WriteCSV(w)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Link", `</api/opendata.schema.json>; rel="describedby"`)
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ds)
}

// wantsCSV reads the format: ?format= (json or csv) wins, else Accept: text/csv asks for CSV.
func wantsCSV(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		p := problem(http.StatusBadRequest, "bad_query", "format: json oder csv erwartet / expected json or csv, erhalten / got "+f)
		p.Field = "format"
		return false, p
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if media, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && media == "text/csv" {
			return true, nil
		}
	}
	return false, nil
}

// baseURL is the server's address as the client reached it, for the export's access URLs.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// safeName keeps letters, digits, - and _ of a tenant for a file name.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			return c
		}
		return '_'
	}, s)
}

// openDataSchema serves the JSON Schema of the open-data export.
func (a *API) openDataSchema(w http.ResponseWriter, _ *http.Request, _ process.Actor) error {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(opendata.Schema)
	return err
}
