package processlist_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

func TestCounts_and_EachStay(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PublishSeeds(ctx, process.Meta{Actor: process.Actor{User: "system", Role: "administrator", Tenant: "*", Installation: true}}); err != nil {
		t.Fatal(err)
	}
	lead := process.Meta{Actor: process.Actor{User: "anna", Role: "lead", Tenant: "leipzig"}}
	var last engine.Result
	for range 2 {
		if last, err = eng.Open(ctx, lead, engine.OpenProcess{Template: "beteiligung-standard", Title: "Spielplatz"}); err != nil {
			t.Fatal(err)
		}
	}
	if last, err = eng.Do(ctx, lead, last.Process, engine.NoExpectation, &engine.Cancel{Reason: "gestoppt"}); err != nil {
		t.Fatal(err)
	}
	// Runs in the test goroutine after the writes, so the clock is not read concurrently.
	list := processlist.New()
	done := make(chan struct{})
	go func() { list.Run(ctx, store); close(done) }()
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := list.WaitFor(wctx, last.Position); err != nil {
		t.Fatal(err)
	}

	t.Run("len_counts_the_processes_held", func(t *testing.T) {
		if n := list.Len(); n != 2 {
			t.Errorf("Len = %d, want 2", n)
		}
	})
	t.Run("counts_processes_by_group", func(t *testing.T) {
		got := list.Counts()
		want := map[processlist.Group]int{
			{Tenant: "leipzig", Template: "beteiligung-standard", Stage: "tender", Status: process.StatusActive}:    1,
			{Tenant: "leipzig", Template: "beteiligung-standard", Stage: "tender", Status: process.StatusCancelled}: 1,
		}
		if len(got) != len(want) {
			t.Fatalf("Counts = %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("Counts[%v] = %d, want %d", k, got[k], v)
			}
		}
	})
	t.Run("reports_only_finished_stays", func(t *testing.T) {
		n := 0
		list.EachStay(func(template, stage string, stayed time.Duration) {
			n++
			if template != "beteiligung-standard" || stage != "tender" || stayed != 0 {
				t.Errorf("stay %s/%s %v", template, stage, stayed)
			}
		})
		if n != 1 {
			t.Errorf("%d stays, want 1", n)
		}
	})
	cancel()
	<-done
}

func TestCatchUp_waits_for_every_write_committed_before_it(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	list := processlist.New()
	if err := list.CatchUp(ctx, store); err != nil { // an empty log: nothing to wait for
		t.Fatal(err)
	}
	if _, err := eng.PublishSeeds(ctx, process.Meta{Actor: process.Actor{User: "system", Role: "administrator", Tenant: "*", Installation: true}}); err != nil {
		t.Fatal(err)
	}
	lead := process.Meta{Actor: process.Actor{User: "anna", Role: "lead", Tenant: "leipzig"}}
	opened, err := eng.Open(ctx, lead, engine.OpenProcess{Template: "beteiligung-standard", Title: "Spielplatz"})
	if err != nil {
		t.Fatal(err)
	}

	// The log's last event is not a process event (a token, an audit record): the list never
	// applies it, so CatchUp must not wait for it.
	if _, err := store.Append(ctx, "other-1", eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(), Type: "other.noted",
		SchemaVersion: 1, Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := list.CatchUp(short, store); err == nil { // the list is not fed yet: it cannot catch up
		t.Fatal("CatchUp returned before the list had applied the log")
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { list.Run(runCtx, store); close(done) }()
	defer func() { stop(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := list.CatchUp(wctx, store); err != nil {
		t.Fatal(err)
	}
	page, err := list.Query(processlist.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != opened.Process {
		t.Fatalf("after CatchUp the list holds %+v, want the opened process %s", page.Items, opened.Process)
	}
}
