package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/projections/readmodels"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// site is a dashboard on a real store with two tenants and one process in each.
type site struct {
	t       *testing.T
	url     string
	handler http.Handler
	store   *sqlite.Store
	tokens  map[string]string // "role@tenant" → secret
	leipzig uuid.UUID         // a Leipzig process with a participant, a task done and a measure
	menden  uuid.UUID
	engine  *engine.Engine
}

var now = time.Date(2025, 9, 1, 9, 0, 0, 0, time.UTC)

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, nil)
}

// newSiteWith is newSite whose dashboard reads and records through wrap(store) (nil: the store
// itself).
func newSiteWith(t *testing.T, wrap func(eventstore.Store) eventstore.Store) *site {
	t.Helper()
	return newSiteConfigured(t, wrap, nil)
}

// newSiteConfigured is newSiteWith whose dashboard's configuration configure may change (with the
// tokens the site created).
func newSiteConfigured(t *testing.T, wrap func(eventstore.Store) eventstore.Store, configure func(*web.Config, map[string]string)) *site {
	t.Helper()
	clock := func() time.Time { return now }
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	sys := process.Meta{Actor: process.Actor{User: "system", Role: "administrator", Tenant: "*", Installation: true}}
	if _, err := eng.PublishSeeds(ctx, sys); err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, tokens: map[string]string{}}
	reg := tokens.New(store, clock)
	for _, tenant := range []string{"leipzig", "menden"} {
		for _, role := range []string{"administrator", "lead", "member", "auditor", "viewer"} {
			secret, _, err := reg.Create(ctx, tenant, role+"-"+tenant, role)
			if err != nil {
				t.Fatal(err)
			}
			s.tokens[role+"@"+tenant] = secret
		}
	}
	lead := func(tenant string) process.Meta {
		return process.Meta{Actor: process.Actor{User: "lead-" + tenant, Tenant: tenant, Role: "lead"}}
	}
	res, err := eng.Open(ctx, lead("leipzig"), engine.OpenProcess{Template: "beteiligung-standard", Title: "Spielplatz Lindenauer Markt"})
	if err != nil {
		t.Fatal(err)
	}
	s.leipzig = res.Process
	for _, cmd := range []engine.Command{
		engine.CompleteTask{Task: "define_subject", Evidence: "Beschluss 12/2025"},
		engine.RegisterParticipant{Group: "citizens", Name: "Erika Mustermann", Email: "erika@example.org"},
		engine.DefineMeasure{Title: "Sandkasten erneuern", Owner: "Grünflächenamt"},
		engine.DefineMeasure{Title: "Bänke aufstellen", Owner: "Grünflächenamt", Due: now.AddDate(0, 0, -3)},
		engine.RecordContribution{Topic: "Spielgeräte", Text: "Eine Nestschaukel"},
		engine.RecordContribution{Topic: "Schatten", Text: "Mehr Bäume am Sandkasten"},
	} {
		if _, err := eng.Do(ctx, lead("leipzig"), s.leipzig, engine.NoExpectation, cmd); err != nil {
			t.Fatal(err)
		}
	}
	res, err = eng.Open(ctx, lead("menden"), engine.OpenProcess{Template: "beteiligung-standard", Title: "Bündnis für Ausbildung Menden"})
	if err != nil {
		t.Fatal(err)
	}
	s.menden = res.Process
	// The five read models, run as serve runs them; the pages read them once they have applied
	// everything written above.
	models := readmodels.All()
	rm, err := runner.New(runner.Config{Store: store, DB: store.ProjectionDB(), Projections: models, Linger: time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = rm.Run(ctx); close(done) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	for _, m := range models {
		if err := rm.WaitFor(wctx, m.Name(), res.Position); err != nil {
			t.Fatalf("read model %s did not catch up: %v", m.Name(), err)
		}
	}
	var webStore eventstore.Store = store
	if wrap != nil {
		webStore = wrap(store)
	}
	cfg := web.Config{Engine: eng, Store: webStore, Tokens: reg, ReadModels: store.ProjectionReadDB(), Now: clock}
	if configure != nil {
		configure(&cfg, s.tokens)
	}
	d, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(d)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		store.Close()
	})
	s.url, s.handler, s.store, s.engine = ts.URL, d, store, eng
	return s
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	t    *testing.T
	s    *site
	c    *http.Client
	csrf string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return page{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.s.url+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.s.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs in as "role@tenant" through the form.
func (b *browser) signIn(who string) page {
	b.t.Helper()
	b.get("/signin")
	p := b.post("/signin", url.Values{"token": {b.s.tokens[who]}, "csrf": {b.csrf}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		b.t.Fatalf("sign-in as %s: %d %s", who, p.status, p.body)
	}
	return p
}
