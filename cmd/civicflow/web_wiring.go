package main

import (
	"log/slog"
	"net/http"

	"github.com/civicflow/civicflow/ops/web"
)

// mountHTTP puts the API and the web dashboard on the outer mux: the API keeps /api/, /healthz
// and /readyz; the dashboard gets / and every other path (/processes/{id}, /measures, /signin …).
func mountHTTP(mux *http.ServeMux, a *app, api http.Handler, log *slog.Logger) error {
	dash, err := web.New(web.Config{Engine: a.engine, Store: a.store, Tokens: a.tokens, ReadModels: a.store.ProjectionReadDB(), Logger: log})
	if err != nil {
		return err
	}
	mux.Handle("/api/", api)
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	mux.Handle("/", dash)
	return nil
}
