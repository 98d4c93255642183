package main

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/config"

	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/ops/web"
)

// auditing is what the API verifies processes and builds audit reports with; the dashboard's
// verification page and report download use the same, and the dashboard's dead-letters page
// replays with the API's notifiers.
type auditing struct {
	verifier  httpapi.Verifier
	seals     httpapi.ReportSeals
	notifiers *notify.Notifiers
}

// mountHTTP puts the API and the web dashboard on the outer mux: the API keeps /api/, /healthz
// and /readyz; the dashboard gets / and every other path (/processes/{id}, /measures, /signin …).
// Both throttle failed authentication with guard. Demo users (serve --demo only) get a sign-in
// button each on the sign-in page; contact is the accessibility statement's feedback contact.
// The dashboard's auditor pages verify and report through audit; oidc (nil: off) offers sign-in
// with OpenID Connect.
func mountHTTP(mux *http.ServeMux, a *app, api http.Handler, guard *throttle.Guard, demo []web.DemoUser, contact string, audit auditing, oidc *web.OIDCConfig, log *slog.Logger) error {
	cfg := web.Config{Engine: a.engine, Store: a.store.Log, Tokens: a.tokens, ReadModels: a.store.ReadModels.Read, Logger: log, Guard: guard, Demo: demo,
		AccessibilityContact: contact, Report: web.ReportSources{Heads: audit.seals.Heads, Tree: audit.seals.Tree, Key: audit.seals.Key}, OIDC: oidc, Notifiers: audit.notifiers}
	if audit.verifier != nil {
		cfg.Verifier = audit.verifier
	}
	dash, err := web.New(cfg)
	if err != nil {
		return err
	}
	mux.Handle("/api/", api)
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	mux.Handle("/", dash)
	return nil
}

// webOIDC is the dashboard's OpenID Connect configuration from auth.oidc, nil while its issuer is
// empty.
func webOIDC(c config.OIDC) *web.OIDCConfig {
	if !c.Enabled() {
		return nil
	}
	return &web.OIDCConfig{Issuer: strings.TrimSpace(c.Issuer), ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
		Scopes: strings.Fields(c.Scopes), RoleClaim: c.RoleClaim, TenantClaim: c.TenantClaim, UserClaim: c.UserClaim}
}
