// Package httpapi is civicflow's HTTP API (/api/v1, JSON): templates, processes and their
// commands, history and past states, and the figures of the SQL read models (overview, stage
// statistics, participation, measures, a process's timeline), with bearer tokens, ETag/If-Match
// concurrency, Idempotency-Key, and errors as RFC 9457 problem details. The OpenAPI 3.1
// description is served at /api/openapi.json; /healthz and /readyz are for the operator.
package httpapi

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/auditgate"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/auditlog"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// Config configures the API.
type Config struct {
	// Engine runs commands. Required.
	Engine *engine.Engine
	// Store is read for history and past states. Required.
	Store eventstore.Store
	// Tokens authenticates requests. Required.
	Tokens *tokens.Registry
	// List is the process list read model. Required.
	List *processlist.List
	// Ready reports whether the server may take traffic (store reachable, handlers not behind).
	// Default: always ready.
	Ready func(ctx context.Context) error
	// MaxBodyBytes limits request bodies. Default 1 MiB.
	MaxBodyBytes int64
	// Logger logs failures. Default slog.Default().
	Logger *slog.Logger
	// Metrics is told the result and duration of every process command (open and the lifecycle
	// commands). Default: nothing is observed.
	Metrics CommandObserver
	// Clock dates the audit.accessed events of auditors' reads (workflows/auditlog) and the audit
	// reports. Default time.Now.
	Clock func() time.Time
	// Seals are what audit reports prove their events with. Default: reports carry no seal.
	Seals ReportSeals
	// Verifier verifies the record (POST /api/v1/audit/verify, …/processes/{id}/verify).
	// Default: none; those routes answer 503.
	Verifier Verifier
	// Heads reads the server's heads file (ops/headsfile.File's All) for GET /api/v1/audit/heads.
	// Default: none; that route answers 503.
	Heads func(ctx context.Context) ([][]byte, error)
	// Guard throttles failed authentication per client address and token prefix, and logs and
	// counts every failure. Share one with the web dashboard's sign-in. Default: a guard of its
	// own with throttle's defaults, logging to Logger.
	Guard *throttle.Guard
	// ReadModels is a query-only pool on the SQL read models (projections/overview, stagestats,
	// participation, implementation, audit), e.g. sqlite.Store.ProjectionReadDB, read by
	// /api/v1/overview, /stats/stages, /participation, /measures and /processes/{id}/timeline.
	// Default: none; those routes answer 503.
	ReadModels *sql.DB
	// Notifiers deliver the dead letters of notifications again (POST
	// /api/v1/notifications/dead-letters/{id}/replay). Default: none; replays answer 503.
	Notifiers *notify.Notifiers
}

// CommandObserver observes commands. command is the action name ("open", "advance", …); result
// is one of "ok", "duplicate", "refused", "invalid", "forbidden", "not_found", "conflict",
// "error". Implementations must be safe for concurrent use.
type CommandObserver interface {
	ObserveCommand(command, result string, took time.Duration)
}

type noObserver struct{}

func (noObserver) ObserveCommand(string, string, time.Duration) {}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	if c.Engine == nil {
		errs = append(errs, errors.New("httpapi: Engine is required"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("httpapi: Store is required"))
	}
	if c.Tokens == nil {
		errs = append(errs, errors.New("httpapi: Tokens is required"))
	}
	if c.List == nil {
		errs = append(errs, errors.New("httpapi: List is required"))
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, errors.New("httpapi: MaxBodyBytes must not be negative"))
	}
	return errors.Join(errs...)
}

// API serves the HTTP API.
type API struct {
	cfg   Config
	mux   *http.ServeMux
	audit *auditlog.Recorder
}

// route is one endpoint; Routes lists them all, and the OpenAPI test checks both ways.
type route struct {
	method, path string
	public       bool
	handle       func(a *API, w http.ResponseWriter, r *http.Request, actor process.Actor) error
}

var routes = []route{
	{"GET", "/healthz", true, (*API).health},
	{"GET", "/readyz", true, (*API).ready},
	{"GET", "/api/openapi.json", true, (*API).openapi},
	{"GET", "/api/opendata.schema.json", true, (*API).openDataSchema},
	{"GET", "/api/v1/opendata/{tenant}", true, (*API).openData},
	{"GET", "/api/v1/templates", false, (*API).listTemplates},
	{"POST", "/api/v1/templates", false, (*API).publishTemplate},
	{"GET", "/api/v1/templates/{id}", false, (*API).showTemplate},
	{"GET", "/api/v1/templates/{id}/versions/{version}", false, (*API).showTemplate},
	{"POST", "/api/v1/templates/{id}/versions/{version}/retire", false, (*API).retireTemplate},
	{"POST", "/api/v1/templates/{id}/derive", false, (*API).deriveTemplate},
	{"GET", "/api/v1/processes", false, (*API).listProcesses},
	{"POST", "/api/v1/processes", false, (*API).openProcess},
	{"GET", "/api/v1/processes/{id}", false, (*API).showProcess},
	{"GET", "/api/v1/processes/{id}/history", false, (*API).history},
	{"GET", "/api/v1/processes/{id}/report", false, (*API).report},
	{"POST", "/api/v1/processes/{id}/verify", false, (*API).verifyProcess},
	{"POST", "/api/v1/audit/verify", false, (*API).verifyStore},
	{"GET", "/api/v1/audit/heads", false, (*API).auditHeads},
	{"POST", "/api/v1/persons/{person}/erase", false, (*API).erase},
	{"GET", "/api/v1/overview", false, (*API).overview},
	{"GET", "/api/v1/stats/stages", false, (*API).stageStats},
	{"GET", "/api/v1/participation", false, (*API).participation},
	{"GET", "/api/v1/measures", false, (*API).measures},
	{"GET", "/api/v1/processes/{id}/timeline", false, (*API).timeline},
	{"GET", "/api/v1/calendar.ics", false, (*API).calendar},
	{"GET", "/api/v1/notifications/dead-letters", false, (*API).deadLetters},
	{"POST", "/api/v1/notifications/dead-letters/{id}/replay", false, (*API).replayDeadLetter},
}

// commandRoutes are the process commands' routes, one per command (views.go).
func commandRoutes() []route {
	var out []route
	for _, name := range Commands() {
		out = append(out, route{"POST", commandPath(name), false, (*API).command})
	}
	return out
}

// unknownCommands answer a process or programme command no route names with 404
// unknown_command, after the token check; they are not operations of the OpenAPI description.
var unknownCommands = []route{
	{"POST", genericCommandPath, false, (*API).command},
	{"POST", genericProgrammeCommandPath, false, (*API).programmeCommand},
}

// Routes returns "METHOD path" of every endpoint.
func Routes() []string {
	all := slices.Concat(routes, commandRoutes())
	out := make([]string, len(all))
	for i, r := range all {
		out[i] = r.method + " " + r.path
	}
	return out
}

// New returns the API's handler.
func New(cfg Config) (*API, error) {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noObserver{}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Guard == nil {
		g, err := throttle.New(throttle.Config{Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		cfg.Guard = g
	}
	rec, err := auditlog.New(auditlog.Config{Store: cfg.Store, Clock: cfg.Clock})
	if err != nil {
		return nil, err
	}
	a := &API{cfg: cfg, mux: http.NewServeMux(), audit: rec}
	for _, rt := range slices.Concat(routes, commandRoutes(), unknownCommands) {
		a.mux.Handle(rt.method+" "+rt.path, a.wrap(rt))
	}
	a.mux.HandleFunc("/", a.noRoute)
	return a, nil
}

// noRoute answers 404 to a request no route serves (an unknown path, or a method a path does not
// have). It needs no token, but an auditor's request is recorded like any refusal.
func (a *API) noRoute(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		if actor, err := a.authenticate(r); err == nil {
			w, _ = a.gate(w, r, actor)
		}
	}
	writeProblem(w, problem(http.StatusNotFound, "not_found", "Keine solche Adresse / no such endpoint: "+r.URL.Path))
}

// ServeHTTP serves the API. Every answer, data or problem, carries X-Content-Type-Options:
// nosniff and Cache-Control: no-store (answers hold personal data and must not be sniffed or kept
// by a browser or proxy), and Strict-Transport-Security when the client came over TLS, directly or
// through a proxy that says so with X-Forwarded-Proto: https.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	a.mux.ServeHTTP(w, r)
}

// wrap adds body limits, authentication, panic recovery and error mapping. An auditor's
// request is answered through the gate: its answer or its refusal (the problem written here) is
// recorded before it is sent.
func (a *API) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				a.cfg.Logger.Error("httpapi: panic", "path", safePath(r.URL.Path), "panic", v)
				writeProblem(w, problem(http.StatusInternalServerError, "internal", "Interner Fehler / internal error"))
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes)
		var actor process.Actor
		var gw *auditgate.Writer
		if !rt.public {
			var err error
			if actor, err = a.authenticate(r); err != nil {
				writeProblem(w, toProblem(err))
				return
			}
			w, gw = a.gate(w, r, actor)
		}
		if err := rt.handle(a, w, r, actor); err != nil {
			p := toProblem(err)
			if p.Status >= 500 {
				a.cfg.Logger.Error("httpapi: request failed", "method", r.Method, "path", safePath(r.URL.Path), "err", err)
			}
			writeProblem(w, p)
			return
		}
		if gw != nil {
			gw.Done()
		}
	})
}

// authenticate checks the bearer token (the scheme in any case, RFC 9110) through the guard: an
// address or token prefix with too many recent failures is refused (429) without a look at its
// token, every failure is logged and counted, and a success clears its token prefix's failures.
func (a *API) authenticate(r *http.Request) (process.Actor, error) {
	secret, ok := bearer(r.Header.Get("Authorization"))
	at := throttle.AttemptOf(r, "api", secret)
	if wait := a.cfg.Guard.Wait(at); wait > 0 {
		return process.Actor{}, throttled(wait)
	}
	if !ok {
		a.cfg.Guard.Fail(at, throttle.ReasonMissing)
		return process.Actor{}, tokens.ErrUnauthenticated
	}
	tok, err := a.cfg.Tokens.Authenticate(r.Context(), secret)
	if errors.Is(err, tokens.ErrUnauthenticated) {
		a.cfg.Guard.Fail(at, throttle.ReasonInvalid)
	}
	if err != nil {
		return process.Actor{}, err
	}
	a.cfg.Guard.Succeed(at)
	return tok.Actor(), nil
}

// bearer returns the credentials of an Authorization header of the scheme Bearer, which is
// case-insensitive (RFC 9110, 11.1).
func bearer(h string) (string, bool) {
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimLeft(cred, " ")
	return cred, strings.EqualFold(scheme, "Bearer") && cred != ""
}

// throttled is the problem of an attempt refused by the guard: 429 with Retry-After.
func throttled(wait time.Duration) *Problem {
	p := problem(http.StatusTooManyRequests, "too_many_failed_attempts", "Zu viele fehlgeschlagene Anmeldeversuche, bitte in "+
		throttle.Seconds(wait)+" s erneut versuchen / too many failed authentication attempts, retry in "+throttle.Seconds(wait)+" s")
	p.retryAfter = throttle.Seconds(wait)
	return p
}

func (a *API) health(w http.ResponseWriter, _ *http.Request, _ process.Actor) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (a *API) ready(w http.ResponseWriter, r *http.Request, _ process.Actor) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.cfg.Ready(ctx); err != nil {
		writeProblem(w, problem(http.StatusServiceUnavailable, "not_ready", err.Error()))
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
