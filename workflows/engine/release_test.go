package engine_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/engine"
)

// releaseHarness opens a copy of testdata/release-bb49f1f.db, a database written by release
// bb49f1f (before template ownership and opaque person IDs) with the program beside it.
func releaseHarness(t *testing.T) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicflow.db")
	src, err := os.Open(filepath.Join("testdata", "release-bb49f1f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)}
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: path, Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, ctx: context.Background(), store: store, clock: c, path: path}
	h.engine = newEngine(t, h)
	return h
}

// releaseProcesses returns the processes of the release database by title.
func releaseProcesses(t *testing.T, h *harness) map[string]*process.Process {
	t.Helper()
	opened, err := h.store.ReadAll(h.ctx, eventstore.ReadAllOptions{Limit: 1000,
		Filter: eventstore.Filter{StreamPrefixes: []string{"process-"}, EventTypes: []string{process.ProcessOpened{}.Type()}}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*process.Process{}
	for _, ev := range opened {
		p, err := h.engine.Load(h.ctx, installation, uuid.MustParse(strings.TrimPrefix(ev.Stream, "process-")))
		if err != nil {
			t.Fatalf("%s: %v", ev.Stream, err)
		}
		out[p.Title] = p
	}
	if len(out) != 3 {
		t.Fatalf("%d processes in the release database, want 3", len(out))
	}
	return out
}

var installation = process.Actor{User: "root", Tenant: "*", Role: "administrator", Installation: true}

func TestRelease_bb49f1f_persons_with_old_ids_load_and_are_erased(t *testing.T) {
	h := releaseHarness(t)
	p := releaseProcesses(t, h)["Spielplatz Lindenau"]
	erika, maxi := p.Participants["t1"], p.Participants["t2"]
	if erika.Person != "leipzig:erika" || maxi.Person != "leipzig:max" {
		t.Fatalf("persons %q and %q, want the recorded leipzig:erika and leipzig:max", erika.Person, maxi.Person)
	}
	if got := h.engine.Reveal(h.ctx, erika.Name); got != engine.Erased {
		t.Fatalf("the erased person's name reads %q", got)
	}
	if got := h.engine.Reveal(h.ctx, maxi.Email); got != "max@example.org" {
		t.Fatalf("the other person's e-mail reads %q", got)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(otherAdmin), "leipzig:max"); !errors.Is(err, process.ErrNotFound) {
		t.Fatal("menden's administrator erased leipzig's person of an old history")
	}
	for _, again := range []string{"erika", "max"} { // erasing the erased again is no error
		if err := h.engine.ErasePerson(h.ctx, h.meta(admin), again); err != nil {
			t.Fatalf("erase %s: %v", again, err)
		}
	}
	if got := h.engine.Reveal(h.ctx, maxi.Email); got != engine.Erased {
		t.Fatalf("after its erasure the old person's e-mail reads %q", got)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(admin), "moritz"); !errors.Is(err, process.ErrNotFound) {
		t.Fatalf("erasing an old-style ID nobody has recorded: %v, want not found", err)
	}
}
