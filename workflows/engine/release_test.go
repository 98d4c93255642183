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
	"github.com/civicflow/civicflow/domain/template"
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

func TestRelease_bb49f1f_global_templates_become_installation_templates(t *testing.T) {
	h := releaseHarness(t)
	ahlen := process.Actor{User: "olaf", Tenant: "ahlen", Role: "lead"}
	list, err := h.engine.TemplatesFor(h.ctx, ahlen)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.TemplateVersion{}
	for _, tv := range list {
		if tv.Owner != template.Installation {
			t.Fatalf("%s is owned by %q, want the installation", tv.Template.ID, tv.Owner)
		}
		got[tv.Template.ID] = tv
	}
	if len(got) != 7 || got["eigen"].Template.Version != 1 || got[standard].Template.Version != 2 {
		t.Fatalf("ahlen sees %d templates (eigen v%d, %s v%d), want the six seeds and eigen, %s at v2",
			len(got), got["eigen"].Template.Version, standard, got[standard].Template.Version, standard)
	}
	if ews, err := h.engine.Template(h.ctx, "ews-engagementstrategie", 1); err != nil || !ews.Retired {
		t.Fatalf("the retired ews v1: %+v, %v", ews.Retired, err)
	}
	for title, p := range releaseProcesses(t, h) { // every process goes on with its template
		if _, err := h.engine.Do(h.ctx, h.meta(process.Actor{User: "x", Tenant: p.Tenant, Role: "lead"}), p.ID, engine.NoExpectation,
			engine.Suspend{Reason: "Prüfung"}); err != nil {
			t.Fatalf("%s (%s v%d): %v", title, p.TemplateID, p.TemplateVersion, err)
		}
	}
	if _, err := h.engine.RetireTemplate(h.ctx, h.meta(admin), "eigen", 1, "alt"); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("leipzig's administrator retires the former global eigen: %v, want forbidden", err)
	}
	derived, err := h.engine.DeriveTemplate(h.ctx, h.meta(admin), engine.DeriveTemplate{From: standard, Version: 1})
	if err != nil || derived.Template.ID != "leipzig:"+standard || derived.DerivedFrom.Version != 1 {
		t.Fatalf("leipzig derives %s v1: %+v, %v", standard, derived.DerivedFrom, err)
	}
	res, err := h.engine.Open(h.ctx, h.meta(ahlen), engine.OpenProcess{Template: standard, Title: "Ahlen"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := h.engine.Load(h.ctx, ahlen, res.Process); p.TemplateID != standard || p.TemplateVersion != 2 {
		t.Fatalf("ahlen opened from %s v%d, want the installation's %s v2", p.TemplateID, p.TemplateVersion, standard)
	}
}
