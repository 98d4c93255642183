package storecopy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storecopy"
	"github.com/civicflow/civicflow/workflows/seal"
)

// source is a SQLite store with something in every copied table.
type source struct {
	path   string
	sealed process.Sealed
	key    note.Verifier
}

func newSource(t *testing.T) source {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "civicflow.db")
	s, err := sqlite.New(ctx, sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 250 {
		stream := fmt.Sprintf("process-%d", i%7)
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1,
			Data: fmt.Appendf(nil, `{"n":%d}`, i), Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}}
		if _, err := s.Append(ctx, stream, eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	sealed, err := s.Vault().Seal(ctx, "person-1", "Erika Mustermann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vault().Seal(ctx, "person-2", "Otto"); err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := seal.GenerateKey("civicflow-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	sealer, err := seal.New(seal.Config{Store: s, Tiles: s.MerkleTiles(), Seals: s.Seals(), Signer: signer, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sealer.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	snap := eventstore.Snapshot{Version: 3, Schema: 1, Data: []byte(`{"state":1}`), RecordedAt: time.Now()}
	if err := s.Snapshots().Save(ctx, "process-1", snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Archive().Keep(ctx, "process-1", snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoints().Save(ctx, "notify/webhooks", eventstore.NewPosition(200, 199)); err != nil {
		t.Fatal(err)
	}
	return source{path: path, sealed: sealed, key: verifier}
}

func openPair(t *testing.T, path string) (*sqlite.Store, *postgres.Store) {
	ctx := context.Background()
	src, err := sqlite.New(ctx, sqlite.Config{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	url, schema := postgrestest.Schema(t)
	dst, err := postgres.New(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	return src, dst
}

func readAll(t *testing.T, s eventstore.Store) []eventstore.Event {
	var all []eventstore.Event
	err := eventstore.Each(context.Background(), s, eventstore.Filter{}, func(e eventstore.Event) error {
		all = append(all, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestCopy_moves_everything_and_the_target_verifies(t *testing.T) {
	ctx := context.Background()
	in := newSource(t)
	src, dst := openPair(t, in.path)
	res, err := storecopy.Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := storecopy.Counts{Events: 250, Keys: 2, Seals: 1, Snapshots: 1, Archived: 1, Checkpoints: 1}
	if res.Counts != want || res.Streams != 7 {
		t.Fatalf("copied %+v in %d streams; want %+v in 7", res.Counts, res.Streams, want)
	}
	// The copied tables are analyzed: the planner knows their rows (reltuples is -1 for a table
	// never analyzed or vacuumed, and autovacuum is off on the test server).
	var tuples float64
	if err := dst.Pool().QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass`).Scan(&tuples); err != nil || tuples != 250 {
		t.Errorf("the target's events after the copy: reltuples %v, %v; want 250 (analyzed)", tuples, err)
	}
	checked, err := storecopy.Verify(ctx, src, dst, in.key)
	if err != nil {
		t.Fatal(err)
	}
	if len(checked.Heads) != 1 || checked.Heads[0].Size != 250 {
		t.Errorf("checked heads %+v; want one of size 250", checked.Heads)
	}
	from, to := readAll(t, src), readAll(t, dst)
	if len(from) != len(to) {
		t.Fatalf("source %d events, target %d", len(from), len(to))
	}
	for i := range from {
		a, b := from[i], to[i]
		if a.Position != b.Position || a.ID != b.ID || a.Hash != b.Hash || a.Stream != b.Stream || a.Version != b.Version ||
			!a.RecordedAt.Equal(b.RecordedAt) || !bytes.Equal(a.Data, b.Data) {
			t.Fatalf("event %d: source %+v, target %+v", i, a, b)
		}
	}
	if got, err := dst.Vault().Open(ctx, in.sealed); err != nil || got != "Erika Mustermann" {
		t.Errorf("the target's vault opens the source's sealed data: %q, %v", got, err)
	}
	if pos, err := dst.Checkpoints().Load(ctx, "notify/webhooks"); err != nil || pos != eventstore.NewPosition(200, 199) {
		t.Errorf("checkpoint = %v, %v", pos, err)
	}
	if s, ok, err := dst.Archive().Nearest(ctx, "process-1", 1, eventstore.Target{}); err != nil || !ok || s.Version != 3 {
		t.Errorf("archived snapshot = %+v, %v, %v", s, ok, err)
	}
	// The copy goes on as a store: the next append follows the copied chain and log.
	r, err := dst.Append(ctx, "process-1", eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(), Type: "x.y", SchemaVersion: 1, Data: []byte(`{}`)})
	if err != nil || r.Position != eventstore.SequencePosition(251) {
		t.Fatalf("append after the copy = %+v, %v; want position 251", r, err)
	}
	if err := dst.Verify(ctx); err != nil {
		t.Fatalf("verify after an append: %v", err)
	}
}

func TestCopy_refuses_a_non_empty_target_and_changes_nothing(t *testing.T) {
	ctx := context.Background()
	in := newSource(t)
	src, dst := openPair(t, in.path)
	cases := []struct {
		name string
		fill func(t *testing.T)
		held string
	}{
		{"a_checkpoint", func(t *testing.T) {
			if err := dst.Checkpoints().Save(ctx, "g", eventstore.SequencePosition(1)); err != nil {
				t.Fatal(err)
			}
		}, "1 checkpoints"},
		{"an_event", func(t *testing.T) {
			if _, err := dst.Append(ctx, "process-x", eventstore.NoStream, eventstore.EventData{ID: eventstore.NewEventID(), Type: "x.y", SchemaVersion: 1, Data: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}, "1 events"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fill(t)
			_, err := storecopy.Copy(ctx, src, dst)
			var ne *storecopy.NotEmptyError
			if !errors.As(err, &ne) || !errors.Is(err, storecopy.ErrNotEmpty) || !bytes.Contains([]byte(err.Error()), []byte(c.held)) {
				t.Fatalf("copy into a target with %s = %v; want a NotEmptyError naming it", c.name, err)
			}
			if n := len(readAll(t, dst)); n > 1 {
				t.Fatalf("the target has %d events after the refusal", n)
			}
		})
	}
}

func TestCopy_refuses_a_changed_source_and_writes_nothing(t *testing.T) {
	ctx := context.Background()
	in := newSource(t)
	src, dst := openPair(t, in.path)
	// A writer of the file changes an event's payload inside its record: its chain breaks.
	w, err := sqlite.New(ctx, sqlite.Config{Path: in.path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ProjectionDB().ExecContext(ctx, `UPDATE events SET record = CAST(replace(record, '{"n":42}', '{"n":43}') AS BLOB) WHERE position = 43`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = storecopy.Copy(ctx, src, dst)
	if !errors.Is(err, eventstore.ErrIntegrity) {
		t.Fatalf("copy of a changed source = %v; want an integrity error", err)
	}
	var n int64
	if err := dst.Pool().QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the target holds %d events after a refused copy (%v)", n, err)
	}
}

func TestVerify_finds_a_seal_that_does_not_match_and_a_missing_key(t *testing.T) {
	ctx := context.Background()
	in := newSource(t)
	src, dst := openPair(t, in.path)
	if _, err := storecopy.Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := storecopy.Verify(ctx, src, dst, nil); !errors.Is(err, storecopy.ErrNoKey) {
		t.Errorf("verify without a key = %v; want ErrNoKey", err)
	}
	_, other, _ := seal.GenerateKey("civicflow-test")
	wrong, _ := note.NewVerifier(other)
	if _, err := storecopy.Verify(ctx, src, dst, wrong); err == nil {
		t.Error("verify with another key's verifier passed")
	}
	if _, err := dst.Pool().Exec(ctx, `DELETE FROM snapshots`); err != nil {
		t.Fatal(err)
	}
	if _, err := storecopy.Verify(ctx, src, dst, in.key); !errors.Is(err, storecopy.ErrMismatch) {
		t.Errorf("verify with a snapshot missing = %v; want ErrMismatch", err)
	}
}
