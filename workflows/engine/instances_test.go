package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// instances are engines on stores of their own on one PostgreSQL schema, as several serve
// processes are: each caches the processes it loaded, and none sees the others' commands except
// through the log.
type instances struct {
	t       *testing.T
	ctx     context.Context
	stores  []*postgres.Store
	engines []*engine.Engine
}

func newInstances(t *testing.T, n int) *instances {
	t.Helper()
	url, schema := postgrestest.Schema(t)
	c := &clock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), tick: time.Millisecond}
	in := &instances{t: t, ctx: context.Background()}
	for range n {
		st, err := postgres.New(in.ctx, postgres.Config{URL: url, Schema: schema, Clock: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		g, err := gate.New()
		if err != nil {
			t.Fatal(err)
		}
		eng, err := engine.New(engine.Config{Store: st, Vault: st.Vault(), Gates: g, Clock: c.Now, Snapshots: st.Snapshots()})
		if err != nil {
			t.Fatal(err)
		}
		in.stores, in.engines = append(in.stores, st), append(in.engines, eng)
	}
	if _, err := in.engines[0].PublishSeeds(in.ctx, process.Meta{Actor: installation, CommandID: uuid.NewString()}); err != nil {
		t.Fatal(err)
	}
	return in
}

// doUntilDecided runs the command on engine i with one command ID, again while it fails with a
// conflict (what a client does after a 409 without an expected version), and returns the decision.
func (in *instances) doUntilDecided(i int, id uuid.UUID, cmd engine.Command) (engine.Result, error) {
	m := process.Meta{Actor: lead, CommandID: uuid.NewString()}
	for {
		res, err := in.engines[i].Do(in.ctx, m, id, engine.NoExpectation, cmd)
		if !errors.Is(err, eventstore.ErrConcurrency) {
			return res, err
		}
	}
}

// events returns the process's events of a type, and fails unless the stream's versions run
// 1, 2, 3, … and no command ID repeats across commands.
func (in *instances) events(id uuid.UUID, typ string) []eventstore.Event {
	in.t.Helper()
	all, err := in.stores[0].ReadStream(in.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		in.t.Fatal(err)
	}
	var out []eventstore.Event
	for i, e := range all {
		if e.Version != int64(i+1) {
			in.t.Fatalf("event %d of the stream has version %d", i+1, e.Version)
		}
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestInstances_a_stale_cache_is_brought_up_to_date_before_deciding(t *testing.T) {
	in := newInstances(t, 2)
	a, b := in.engines[0], in.engines[1]
	res, err := a.Open(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, engine.OpenProcess{Template: standard, Title: "Radweg", Programme: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Process
	seen, err := b.Load(in.ctx, lead, id) // b caches version 1
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Do(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, id, engine.NoExpectation, engine.Suspend{Reason: "Haushaltssperre"}); err != nil {
		t.Fatal(err)
	}
	// On its cached state b would suspend the process a second time; on the log's it refuses.
	if _, err := b.Do(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, id, engine.NoExpectation, engine.Suspend{Reason: "noch einmal"}); !errors.Is(err, process.ErrRefused) {
		t.Fatalf("b suspended a suspended process: %v, want process.ErrRefused", err)
	}
	// With the version b saw, b's command is a version conflict (the API's 409), not a write.
	var verr *engine.VersionError
	if _, err := b.Do(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, id, seen.Version, engine.Resume{}); !errors.As(err, &verr) || verr.Actual != 2 {
		t.Fatalf("b with expected version %d after a's write: %v, want a version error naming version 2", seen.Version, err)
	}
	if res, err := b.Do(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, id, 2, engine.Resume{}); err != nil || res.Version != 3 {
		t.Fatalf("b with the current version: %+v, %v", res, err)
	}
	if n := len(in.events(id, process.ProcessSuspended{}.Type())); n != 1 {
		t.Fatalf("%d suspensions in the log, want 1", n)
	}
}

func TestInstances_concurrent_commands_on_three_instances_are_each_decided_once(t *testing.T) {
	in := newInstances(t, 3)
	res, err := in.engines[0].Open(in.ctx, process.Meta{Actor: lead, CommandID: uuid.NewString()}, engine.OpenProcess{Template: standard, Title: "Radweg", Programme: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Process
	for _, e := range in.engines[1:] {
		if _, err := e.Load(in.ctx, lead, id); err != nil { // every instance caches the process
			t.Fatal(err)
		}
	}
	const clients = 12
	var (
		mu        sync.Mutex
		suspended int
	)
	// All at once, each client on instance c%3: first each records a contribution (all twelve
	// are right), then each tries to suspend (only one suspension is right, whichever instance
	// decides it).
	together(clients, func(c int) {
		if _, err := in.doUntilDecided(c%3, id, engine.RecordContribution{Text: "Idee", Topic: string(rune('a' + c))}); err != nil {
			t.Errorf("client %d: contribution: %v", c, err)
		}
	})
	together(clients, func(c int) {
		_, err := in.doUntilDecided(c%3, id, engine.Suspend{Reason: "Haushaltssperre"})
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			suspended++
		case !errors.Is(err, process.ErrRefused):
			t.Errorf("client %d: suspend: %v, want success or process.ErrRefused", c, err)
		}
	})
	if suspended != 1 {
		t.Fatalf("%d suspensions acknowledged, want 1", suspended)
	}
	if n := len(in.events(id, process.ProcessSuspended{}.Type())); n != 1 {
		t.Fatalf("%d suspensions in the log, want 1", n)
	}
	if n := len(in.events(id, process.ContributionRecorded{}.Type())); n != clients {
		t.Fatalf("%d contributions in the log, want %d", n, clients)
	}
	for i, e := range in.engines {
		p, err := e.Load(in.ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Contributions != clients || p.Status != process.StatusSuspended {
			t.Fatalf("instance %d sees %d contributions and status %s", i, p.Contributions, p.Status)
		}
	}
}

// together runs f for 0..n-1, each in a goroutine, all released at once, and waits for them.
func together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}
