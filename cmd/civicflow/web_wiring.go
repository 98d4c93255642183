package main

import (
	"log/slog"
	"net/http"

	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/ops/web"
)

// mountHTTP puts the API and the web dashboard on the outer mux: the API keeps /api/, /healthz
// and /readyz; the dashboard gets / and every other path (/processes/{id}, /measures, /signin …).
// Both throttle failed authentication with guard. Demo users (serve --demo only) get a sign-in
// button each on the sign-in page; contact is the accessibility statement's feedback contact.
func mountHTTP(mux *http.ServeMux, a *app, api http.Handler, guard *throttle.Guard, demo []web.DemoUser, contact string, log *slog.Logger) error {
	dash, err := web.New(web.Config{Engine: a.engine, Store: a.store, Tokens: a.tokens, ReadModels: a.store.ProjectionReadDB(), Logger: log, Guard: guard, Demo: demo,
		AccessibilityContact: contact})
	if err != nil {
		return err
	}
	mux.Handle("/api/", api)
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	mux.Handle("/", dash)
	return nil
}
