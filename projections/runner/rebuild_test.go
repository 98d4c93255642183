package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

func TestRebuildAllInOnePassYieldsTheSameModelsAndDropsLeftovers(t *testing.T) {
	want := uninterrupted(t)
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	ctx := context.Background()
	r := rebuiltAll(t, s)
	if got := models(t, s); got != want {
		t.Fatalf("rebuilt in one pass:\n%s\nwant:\n%s", got, want)
	}
	// A rebuild interrupted before its switch left tables of build 3 behind.
	if _, err := s.ProjectionDB().ExecContext(ctx, `CREATE TABLE process_overview_v3_process (id TEXT)`); err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := models(t, s); got != want {
		t.Fatalf("rebuilt again:\n%s\nwant:\n%s", got, want)
	}
	tables, _, err := runner.Active(ctx, s.ProjectionReadDB(), overview.Name)
	if err != nil || tables != "process_overview_v2" {
		t.Fatalf("active tables %q, %v; want process_overview_v2", tables, err)
	}
	var n int
	if err := s.ProjectionReadDB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table'
		AND (name LIKE 'process_overview_v1_%' OR name LIKE 'process_overview_v3_%')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables of replaced or interrupted builds left, %v", n, err)
	}
}

// eventByEvent hides a read model's ApplyBatch, so that the runner calls Apply for each event.
type eventByEvent struct{ runner.Projection }

func TestApplyEventByEventYieldsTheSameModelsAsApplyBatch(t *testing.T) {
	want := uninterrupted(t) // ApplyBatch, in the rebuild and in live batches
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	var ps []runner.Projection
	for _, p := range all() {
		if _, ok := p.(runner.BatchApplier); !ok {
			t.Errorf("%s has no ApplyBatch", p.Name())
		}
		ps = append(ps, eventByEvent{p})
	}
	projectiontest.CatchUp(t, s, ps...)
	if got := models(t, s); got != want {
		t.Fatalf("event by event:\n%s\nwant:\n%s", got, want)
	}
}

// Dropping a replaced build turns secure_delete off on the read models' connection for the while
// (their tables hold no plaintext personal data); erasing a person's key must still leave no copy
// of it in the file or the WAL, and the connection must have secure_delete on again.
func TestDroppingBuildsLeavesErasureOverwriting(t *testing.T) {
	dir := t.TempDir()
	s, clock := projectiontest.Open(t, dir)
	projectiontest.Append(t, s, clock, history)
	ctx := context.Background()
	if _, err := s.Vault().Seal(ctx, "person-x", "Erika Mustermann"); err != nil {
		t.Fatal(err)
	}
	var key []byte
	if err := s.ProjectionReadDB().QueryRowContext(ctx, `SELECT key FROM person_keys WHERE person_id = 'person-x'`).Scan(&key); err != nil || len(key) != 32 {
		t.Fatalf("key %x, %v", key, err)
	}
	if !filesHold(t, dir, key) {
		t.Fatal("the key is not in the files before the erasure: the test would prove nothing")
	}
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all()})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second rebuild drops the first one's builds
		if err := r.RebuildAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var on int
	if err := s.ProjectionDB().QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil || on != 1 {
		t.Fatalf("secure_delete on the read models' connection is %d after dropping builds (%v), want 1", on, err)
	}
	if err := s.Vault().Erase(ctx, "person-x"); err != nil {
		t.Fatal(err)
	}
	if filesHold(t, dir, key) {
		t.Fatal("the erased key is still in the database file or its WAL")
	}
}

// filesHold reports whether the store's file or its WAL contains b.
func filesHold(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	for _, name := range []string{"civicflow.db", "civicflow.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

// A rebuild of more than a page, in many parts (statements and decoded payloads shared within a
// page), must give what a replay event by event gives (runner.Check).
func TestRebuildOfManyPagesMatchesAReplayEventByEvent(t *testing.T) {
	// Pages and parts a fifth of their size, and a fifth of the events: the same two pages.
	shrink := runner.ShrinkPages(t)
	s, _ := projectiontest.Open(t, t.TempDir())
	appendSmallEvents(t, s, 12_345/shrink)
	ctx := context.Background()
	rebuiltAll(t, s)
	for _, p := range all() {
		scratch, err := sqlite.OpenScratch()
		if err != nil {
			t.Fatal(err)
		}
		res, err := runner.Check(ctx, runner.CheckConfig{Store: s, Live: s.ProjectionReadDB(), Scratch: scratch, Process: ""}, p)
		scratch.Close()
		if err != nil {
			t.Fatalf("%s: %v", p.Name(), err)
		}
		if res.Events == 0 {
			t.Fatalf("%s compared nothing: %+v", p.Name(), res)
		}
	}
}

// rebuiltAll returns a runner of every read model that has rebuilt them all in one pass.
func rebuiltAll(t *testing.T, s *sqlite.Store) *runner.Runner {
	t.Helper()
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: all()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// probing is a read model that notes the write connection's wal_autocheckpoint while it applies.
type probing struct{ seen *[]int }

func (p probing) Name() string              { return "probing" }
func (p probing) Version() int              { return 1 }
func (p probing) Filter() eventstore.Filter { return eventstore.Filter{} }
func (p probing) Schema(t runner.Tables) []string {
	return []string{t.Q(`CREATE TABLE {seen} (n INTEGER)`)}
}

func (p probing) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	var n int
	if err := tx.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&n); err != nil {
		return err
	}
	*p.seen = append(*p.seen, n)
	return nil
}

// The bulk load checkpoints less often (fewer waits for the disk's syncs); afterwards the
// connection checkpoints as before.
func TestRebuildRaisesTheCheckpointThresholdOnlyWhileItLoads(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, history)
	ctx := context.Background()
	var seen []int
	r, err := runner.New(runner.Config{Store: s, DB: s.ProjectionDB(), Projections: []runner.Projection{probing{&seen}}})
	if err != nil {
		t.Fatal(err)
	}
	var before int
	if err := s.ProjectionDB().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(ctx); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 || seen[0] != 5000 {
		t.Errorf("while loading: wal_autocheckpoint %v, want 5000", seen)
	}
	var after int
	if err := s.ProjectionDB().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("after the rebuild: wal_autocheckpoint %d, want %d as before", after, before)
	}
}
