package engine_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

const standard = "beteiligung-standard"

func TestDo_is_idempotent_by_command_id(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Spielplatz")
	m := h.meta(member)
	cmd := engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"}
	first, err := h.engine.Do(h.ctx, m, id, engine.NoExpectation, cmd)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.engine.Do(h.ctx, m, id, engine.NoExpectation, cmd)
	if err != nil {
		t.Fatalf("retry: %v (the first result must be returned, not a refusal)", err)
	}
	if !again.Duplicate || again.Version != first.Version {
		t.Fatalf("retry result %+v, want %+v as duplicate", again, first)
	}
	if n := len(events(t, h, id)); n != 2 {
		t.Fatalf("%d events, want 2 (opened, task completed)", n)
	}
}

func TestOpen_is_idempotent_by_command_id(t *testing.T) {
	h := newHarness(t)
	m := h.meta(lead)
	in := engine.OpenProcess{Template: standard, Title: "Radweg"}
	first, err := h.engine.Open(h.ctx, m, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.engine.Open(h.ctx, m, in)
	if err != nil || again.Process != first.Process || !again.Duplicate {
		t.Fatalf("retry %+v, %v; want the same process %s as duplicate", again, err, first.Process)
	}
}

func TestDo_with_an_expected_version_lets_exactly_one_of_two_concurrent_commands_win(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = h.engine.Do(h.ctx, h.meta(lead), id, 1, engine.Suspend{Reason: "Haushaltssperre"})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, engine.ErrVersion), errors.Is(err, process.ErrRefused):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d commands with expected version 1 won, want exactly 1", won)
	}
}

func TestDo_without_expected_version_retries_after_a_conflict(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			h.do(member, id, engine.RecordContribution{Text: "Idee", Topic: string(rune('a' + i))})
		})
	}
	wg.Wait()
	if got := h.state(id).Contributions; got != 10 {
		t.Fatalf("%d contributions, want 10", got)
	}
}

func TestLoad_hides_other_tenants_processes(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	if _, err := h.engine.Load(h.ctx, otherLead, id); !errors.Is(err, process.ErrNotFound) {
		t.Fatalf("another tenant's lead: %v, want not found", err)
	}
	if _, err := h.engine.Do(h.ctx, h.meta(otherLead), id, engine.NoExpectation, engine.Suspend{Reason: "x"}); !errors.Is(err, process.ErrNotFound) {
		t.Fatalf("another tenant's command: %v, want not found", err)
	}
	for _, reader := range []process.Actor{auditor, viewer} {
		if _, err := h.engine.Load(h.ctx, reader, id); err != nil {
			t.Fatalf("own tenant's %s reads: %v", reader.Role, err)
		}
	}
	if _, err := h.engine.Do(h.ctx, h.meta(viewer), id, engine.NoExpectation, engine.Suspend{Reason: "x"}); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a viewer suspended: %v", err)
	}
}

func TestErasePerson_removes_the_data_everywhere_and_keeps_the_chains(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	person42 := uuid.NewString()
	h.do(member, id, engine.RegisterParticipant{Participant: "x1", Person: person42, Group: "citizens",
		Name: "Waltraud Quastenberg", Email: "waltraud.quastenberg@example.org"})
	h.do(member, id, engine.RecordContribution{Participant: "x1", Text: "Ein Zebrastreifen an der Quastenberg-Ecke"})
	p := h.state(id)
	if got := h.engine.Reveal(h.ctx, p.Participants["x1"].Name); got != "Waltraud Quastenberg" {
		t.Fatalf("name reads %q before erasure", got)
	}
	if p.Participants["x1"].Person != "leipzig:"+person42 {
		t.Fatalf("person ID %q is not scoped to the tenant", p.Participants["x1"].Person)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(process.Actor{User: "o", Tenant: "menden", Role: "administrator"}), "leipzig:"+person42); !errors.Is(err, process.ErrNotFound) {
		t.Fatalf("another tenant's administrator erases: %v, want not found", err)
	}
	if got := h.engine.Reveal(h.ctx, h.state(id).Participants["x1"].Name); got != "Waltraud Quastenberg" {
		t.Fatalf("another tenant's administrator erased the person: name reads %q", got)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(member), person42); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a member erased: %v", err)
	}
	key := personKey(t, h.path, "leipzig:"+person42)
	if err := h.engine.ErasePerson(h.ctx, h.meta(admin), person42); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(admin), person42); err != nil {
		t.Fatalf("erasing again: %v", err)
	}
	p = h.state(id)
	if got := h.engine.Reveal(h.ctx, p.Participants["x1"].Name); got != engine.Erased {
		t.Fatalf("name reads %q after erasure, want %q", got, engine.Erased)
	}
	h.do(member, id, engine.RecordContribution{Text: "Weiter geht's"}) // everything else keeps working
	if err := h.store.Verify(h.ctx); err != nil {
		t.Fatalf("chains after erasure: %v", err)
	}
	erasures, _ := h.store.ReadStream(h.ctx, "person-leipzig:"+person42, eventstore.ReadStreamOptions{})
	if len(erasures) != 1 {
		t.Fatalf("%d erasure events, want 1", len(erasures))
	}
	h.store.Close()
	for _, f := range []string{h.path, h.path + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, key) {
			t.Fatalf("%s still contains the erased person's key", filepath.Base(f))
		}
		for _, secret := range []string{"Waltraud", "Quastenberg", "waltraud.quastenberg@example.org", "Zebrastreifen"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s still contains %q", filepath.Base(f), secret)
			}
		}
	}
}

func TestPublishTemplate_versions_and_retires(t *testing.T) {
	h := newHarness(t)
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), tv.Template)
	if err != nil || again.Template.Version != tv.Template.Version {
		t.Fatalf("republishing the same content: version %d, %v; want %d", again.Template.Version, err, tv.Template.Version)
	}
	changed := tv.Template
	changed.Stages = append([]template.Stage(nil), changed.Stages...)
	changed.Stages[0].TargetDays = 21
	v2, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), changed)
	if err != nil || v2.Template.Version != tv.Template.Version+1 || v2.Hash == tv.Hash {
		t.Fatalf("publishing a change: %+v, %v", v2.Template.Version, err)
	}
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(lead), changed); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a lead published: %v", err)
	}
	broken := changed
	broken.Stages = append([]template.Stage(nil), changed.Stages...)
	broken.Stages[1].Gates = []template.Gate{{Key: "typo", Title: template.Text{De: "x", En: "x"}, Expr: "aprovals.has(\"x\")"}}
	if _, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), broken); !errors.Is(err, template.ErrInvalid) {
		t.Fatalf("a gate typo was published: %v", err)
	}
	id := h.open(standard, "Läuft auf v2")
	if _, err := h.engine.RetireTemplate(h.ctx, h.meta(installation), standard, v2.Template.Version, "ersetzt"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Open(h.ctx, h.meta(lead), engine.OpenProcess{Template: standard, Title: "neu"}); !errors.Is(err, process.ErrRefused) {
		t.Fatalf("opened from a retired version: %v", err)
	}
	h.do(member, id, engine.CompleteTask{Task: "define_subject", Evidence: "läuft weiter"})
}

func TestMigrate_moves_a_running_process_to_a_new_version(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	tv, _ := h.engine.Template(h.ctx, standard, 0)
	next := tv.Template
	next.Stages = append([]template.Stage(nil), next.Stages...)
	next.Stages[0].Key = "call"
	next.Stages[1].BackTo = []string{"call"}
	next.Deadlines = append([]template.Deadline(nil), next.Deadlines...)
	next.Deadlines[0].Stage = "call"
	v2, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), next)
	if err != nil {
		t.Fatal(err)
	}
	h.do(member, id, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"})
	_, err = h.engine.Do(h.ctx, h.meta(admin), id, engine.NoExpectation, engine.Migrate{ToVersion: v2.Template.Version, Reason: "neue Vorlage"})
	if !errors.Is(err, process.ErrRefused) {
		t.Fatalf("migration without mapping for a renamed stage: %v, want refused", err)
	}
	if _, err := h.engine.Do(h.ctx, h.meta(lead), id, engine.NoExpectation, engine.Migrate{ToVersion: 2, StageMapping: map[string]string{"tender": "call"}, Reason: "x"}); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a lead migrated: %v", err)
	}
	h.do(admin, id, engine.Migrate{ToVersion: v2.Template.Version, StageMapping: map[string]string{"tender": "call"}, Reason: "neue Vorlage"})
	p := h.state(id)
	if p.TemplateVersion != v2.Template.Version || p.Stage != "call" || len(p.Tasks["call"]) != 1 {
		t.Fatalf("after migration: v%d stage %s tasks %v", p.TemplateVersion, p.Stage, p.Tasks)
	}
}

func events(t testing.TB, h *harness, id uuid.UUID) []eventstore.Event {
	t.Helper()
	evs, err := h.store.ReadStream(h.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

var _ = templates.Seeds

// personKey reads a person's key from the database file behind the store's back.
func personKey(t *testing.T, path, person string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var key []byte
	if err := db.QueryRow(`SELECT key FROM person_keys WHERE person_id = ?`, person).Scan(&key); err != nil {
		t.Fatalf("key of %s: %v", person, err)
	}
	if len(key) != 32 {
		t.Fatalf("key of %s has %d bytes", person, len(key))
	}
	return key
}

// TestTemplate_concurrent_readers_see_every_version_once: commands read their template while
// versions are published; the template cache reads the store outside its lock, and every reader
// must still see the versions in order, each once, and the latest one published before it asked.
func TestTemplate_concurrent_readers_see_every_version_once(t *testing.T) {
	h := newHarness(t)
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	const publishes = 8
	var wg sync.WaitGroup
	var published atomic.Int64
	published.Store(int64(tv.Template.Version))
	for range 8 {
		wg.Go(func() {
			for range 50 {
				want := published.Load()
				got, err := h.engine.Template(h.ctx, standard, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if int64(got.Template.Version) < want {
					t.Errorf("read version %d after %d was published", got.Template.Version, want)
				}
			}
		})
	}
	next := tv.Template
	for i := range publishes {
		next.Stages = append([]template.Stage(nil), next.Stages...)
		next.Stages[0].TargetDays = 30 + i
		v, err := h.engine.PublishTemplate(h.ctx, h.meta(installation), next)
		if err != nil {
			t.Fatal(err)
		}
		published.Store(int64(v.Template.Version))
	}
	wg.Wait()
	for v := 1; v <= tv.Template.Version+publishes; v++ {
		got, err := h.engine.Template(h.ctx, standard, v)
		if err != nil || got.Template.Version != v {
			t.Fatalf("version %d: got %d, %v", v, got.Template.Version, err)
		}
	}
	if _, err := h.engine.Template(h.ctx, standard, tv.Template.Version+publishes+1); err == nil {
		t.Fatal("a version beyond the published ones was found: a version was applied twice")
	}
}
