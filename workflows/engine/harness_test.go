package engine_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// clock is a settable test clock. With a tick it moves on by the tick at every reading, as a
// wall clock does between the engine's reading and the store's.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	tick time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.tick)
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type harness struct {
	t      testing.TB
	ctx    context.Context
	store  *sqlite.Store
	engine *engine.Engine
	clock  *clock
	path   string
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicflow.db")
	c := &clock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: path, Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, ctx: context.Background(), store: store, clock: c, path: path}
	h.engine = newEngine(t, h)
	if _, err := h.engine.PublishSeeds(h.ctx, h.meta(installation)); err != nil {
		t.Fatal(err)
	}
	return h
}

var (
	admin     = process.Actor{User: "ines", Tenant: "leipzig", Role: "administrator"}
	lead      = process.Actor{User: "anna", Tenant: "leipzig", Role: "lead"}
	member    = process.Actor{User: "ben", Tenant: "leipzig", Role: "member"}
	auditor   = process.Actor{User: "clara", Tenant: "leipzig", Role: "auditor"}
	viewer    = process.Actor{User: "dora", Tenant: "leipzig", Role: "viewer"}
	otherLead = process.Actor{User: "emil", Tenant: "menden", Role: "lead"}
	head      = process.Actor{User: "frank", Tenant: "leipzig", Role: "administrator"}
	// installation administers the whole installation (tenant "*").
	installation = process.Actor{User: "root", Tenant: "*", Role: "administrator", Installation: true}
)

func (h *harness) meta(a process.Actor) process.Meta {
	return process.Meta{Actor: a, CommandID: uuid.NewString()}
}

func (h *harness) open(template, title string) uuid.UUID {
	h.t.Helper()
	res, err := h.engine.Open(h.ctx, h.meta(lead), engine.OpenProcess{Template: template, Title: title, Programme: "Test"})
	if err != nil {
		h.t.Fatalf("open %s: %v", template, err)
	}
	return res.Process
}

// do runs a command and fails the test on error.
func (h *harness) do(a process.Actor, id uuid.UUID, cmd engine.Command) engine.Result {
	h.t.Helper()
	res, err := h.engine.Do(h.ctx, h.meta(a), id, engine.NoExpectation, cmd)
	if err != nil {
		h.t.Fatalf("%s by %s: %v", cmd.Action(), a.Role, err)
	}
	return res
}

func (h *harness) state(id uuid.UUID) *process.Process {
	h.t.Helper()
	p, err := h.engine.Load(h.ctx, admin, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// newEngine starts an engine on the harness's store, with nothing loaded.
func newEngine(t testing.TB, h *harness) *engine.Engine {
	t.Helper()
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: h.store, Vault: h.store.Vault(), Gates: g, Clock: h.clock.Now, Snapshots: h.store.Snapshots()})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
