package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/projections/readmodels"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/tokens"
)

type server struct {
	t      testing.TB
	url    string
	store  *sqlite.Store
	path   string            // the store's database file
	tokens map[string]string // "role@tenant" → secret
	router routers.Router
	mu     sync.Mutex
	now    time.Time
	// sealer seals the log; key checks the seals.
	sealer *seal.Sealer
	key    note.Verifier
	// readModels runs the five SQL read models as serve does.
	readModels *runner.Runner
	// api is the handler the test server serves.
	api *httpapi.API
	// caughtUp holds, for each read model seen built by readModelsCaughtUp, the position of
	// the last event of its filter it was seen to have applied (Start: none yet).
	caughtUpMu sync.Mutex
	caughtUp   map[string]eventstore.Position
}

func (s *server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *server) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

func newServer(t testing.TB) *server {
	t.Helper()
	return newServerWith(t, nil)
}

// newServerWith is newServer whose API appends through wrap(store) (nil: the store itself).
func newServerWith(t testing.TB, wrap func(eventstore.Store) eventstore.Store) *server {
	t.Helper()
	return newServerOpts(t, serverOpts{api: wrap})
}

// serverOpts change what newServerOpts wires: nil fields take the store itself.
type serverOpts struct {
	api  func(eventstore.Store) eventstore.Store // what the API reads and appends through
	list func(eventstore.Store) eventstore.Store // what the process list is fed from
	// noReadModels configures the API without ReadModels (the read models run all the same).
	noReadModels bool
	// logs, when set, receives the API's log lines.
	logs io.Writer
	// maxSize caps the store's size (sqlite.Config.MaxSize; 0: no cap).
	maxSize int64
	// guard configures the API's throttle of failed authentication on the server's clock (nil:
	// the API's default).
	guard *throttle.Config
	// notifiers, when set, deliver dead letters again.
	notifiers *notify.Notifiers
}

func newServerOpts(t testing.TB, opts serverOpts) *server {
	t.Helper()
	wrap := opts.api
	s := &server{t: t, now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), tokens: map[string]string{}}
	ctx, cancel := context.WithCancel(context.Background())
	s.path = filepath.Join(t.TempDir(), "db")
	store, err := sqlite.New(ctx, sqlite.Config{Path: s.path, Clock: s.clock, MaxSize: opts.maxSize})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: s.clock, Snapshots: store.Snapshots(), Archive: store.Archive()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PublishSeeds(ctx, process.Meta{Actor: process.Actor{User: "system", Role: "administrator", Tenant: "*", Installation: true}}); err != nil {
		t.Fatal(err)
	}
	reg := tokens.New(store, s.clock)
	for _, tenant := range []string{"leipzig", "menden"} {
		for _, role := range []string{"administrator", "lead", "member", "auditor", "viewer", "coordinator"} {
			secret, _, err := reg.Create(ctx, tenant, role+"-"+tenant, role)
			if err != nil {
				t.Fatal(err)
			}
			s.tokens[role+"@"+tenant] = secret
		}
	}
	secret, _, _ := reg.Create(ctx, "*", "root", "administrator")
	s.tokens["administrator@*"] = secret
	list := processlist.New()
	done := make(chan struct{})
	var listStore eventstore.Store = store
	if opts.list != nil {
		listStore = opts.list(store)
	}
	go func() { list.Run(ctx, listStore); close(done) }()
	skey, vkey, _ := seal.GenerateKey("civicflow-test")
	signer, _ := note.NewSigner(skey)
	s.key, _ = note.NewVerifier(vkey)
	heads := headsfile.New(filepath.Join(t.TempDir(), "seal.heads"))
	if s.sealer, err = seal.New(seal.Config{Store: store, Tiles: store.MerkleTiles(), Seals: store.Seals(), Signer: signer,
		Verifier: s.key, Witness: heads, Clock: s.clock}); err != nil {
		t.Fatal(err)
	}
	var apiStore eventstore.Store = store
	if wrap != nil {
		apiStore = wrap(store)
	}
	// The five read models, run as serve runs them; readModelsCaughtUp waits for them.
	if s.readModels, err = runner.New(runner.Config{Store: store, DB: store.ProjectionDB(), Projections: readModels(),
		Linger: time.Millisecond, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	go func() { _ = s.readModels.Run(ctx); close(ran) }()
	cfg := httpapi.Config{Engine: eng, Store: apiStore, Tokens: reg, List: list, MaxBodyBytes: 64 << 10, Clock: s.clock,
		Seals: httpapi.ReportSeals{Heads: store.Seals(), Tree: seal.TileHashes(store.MerkleTiles()), Key: s.key}, Verifier: newVerifier(t, store, s.key),
		ReadModels: store.ProjectionReadDB(), Heads: heads.All}
	if opts.guard != nil {
		gc := *opts.guard
		gc.Clock = s.clock
		if cfg.Guard, err = throttle.New(gc); err != nil {
			t.Fatal(err)
		}
	}
	if opts.noReadModels {
		cfg.ReadModels = nil
	}
	cfg.Notifiers = opts.notifiers
	if opts.logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(opts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	api, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		<-ran
		store.Close()
	})
	s.url, s.store, s.api = ts.URL, store, api
	s.readModelsCaughtUp()
	if s.router, err = openAPIRouter(); err != nil {
		t.Fatal(err)
	}
	return s
}

// openAPIRouter returns the router over the OpenAPI description that call validates every
// answer against. It is built once for all tests: loading and validating the description takes
// about a second of CPU under the race detector, and it never changes. It has no servers, so it
// matches a request by its path alone, whatever test server's address it went to.
var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

// readModels are the read models serve runs.
func readModels() []runner.Projection { return readmodels.All() }

// readModelsCaughtUp waits until every read model is built and has applied the last event of
// the log it reads (process and template events: an audit record or a token is not theirs).
// Its bound is against a hang, not a speed test: with the package's tests in parallel, a first
// build has taken more than 10 s on a 2-core machine at load 16.
func (s *server) readModelsCaughtUp() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.caughtUpMu.Lock()
	defer s.caughtUpMu.Unlock()
	if s.caughtUp == nil {
		s.caughtUp = map[string]eventstore.Position{}
	}
	for _, m := range readModels() {
		// An active build stays active (a rebuild replaces it atomically), so a read model is
		// waited for only until it was seen built once.
		seen, built := s.caughtUp[m.Name()]
		for !built && !s.built(ctx, m.Name()) {
			select {
			case <-ctx.Done():
				s.t.Fatalf("read model %s was not built: %v", m.Name(), ctx.Err())
			case <-time.After(5 * time.Millisecond):
			}
		}
		// The read model has applied the log up to seen (the last call waited for it): only the
		// events after seen are read, not the whole log again.
		events, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{After: seen, Limit: 1 << 20, Filter: m.Filter()})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(events) > 0 {
			seen = events[len(events)-1].Position
			if err := s.readModels.WaitFor(ctx, m.Name(), seen); err != nil {
				s.t.Fatalf("read model %s did not catch up: %v", m.Name(), err)
			}
		}
		s.caughtUp[m.Name()] = seen
	}
}

// built reports whether the read model has an active build that readers can query.
func (s *server) built(ctx context.Context, name string) bool {
	s.t.Helper()
	tx, err := s.store.ProjectionReadDB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		s.t.Fatal(err)
	}
	defer tx.Rollback()
	_, _, err = runner.Active(ctx, tx, name)
	if err != nil && !errors.Is(err, runner.ErrNotBuilt) {
		s.t.Fatal(err)
	}
	return err == nil
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("reply %d is not a JSON object: %s", r.status, r.body)
	}
	return m
}

// call sends a request as who ("role@tenant", "" for none) and checks the response against the
// OpenAPI description.
func (s *server) call(method, path, who string, body any, headers ...string) reply {
	s.t.Helper()
	var data []byte
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		data, _ = json.Marshal(b)
	}
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(data))
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	s.validate(req, data, resp, out)
	return reply{resp.StatusCode, resp.Header, out}
}

// validate checks a recorded response against its operation in the OpenAPI description.
func (s *server) validate(req *http.Request, reqBody []byte, resp *http.Response, body []byte) {
	s.t.Helper()
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode != http.StatusNotFound {
			s.t.Errorf("%s %s is not in the OpenAPI description: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: in.Options}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		s.t.Errorf("%s %s → %d does not match the OpenAPI description: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, truncate(body))
	}
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// events counts every event in the store.
func (s *server) events() int {
	all, err := s.store.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 1 << 20})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(all)
}

// open opens a default process as the lead of tenant and returns its ID.
func (s *server) open(tenant, title string) string {
	s.t.Helper()
	r := s.call("POST", "/api/v1/processes", "lead@"+tenant, map[string]any{"template": "beteiligung-standard", "title": title})
	if r.status != http.StatusCreated {
		s.t.Fatalf("open: %d %s", r.status, r.body)
	}
	return r.json(s.t)["process"].(string)
}

func code(t *testing.T, r reply) string {
	t.Helper()
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		return ""
	}
	c, _ := r.json(t)["code"].(string)
	return c
}
