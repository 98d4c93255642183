package seal_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
	"github.com/civicflow/civicflow/workflows/seal"
)

type fixture struct {
	path     string
	store    *sqlite.Store
	sealer   *seal.Sealer
	signer   note.Signer
	verifier note.Verifier
	witness  *headsfile.File
}

func setup(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	skey, vkey, err := seal.GenerateKey("civicflow-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{path: path, store: store, signer: signer, verifier: verifier, witness: headsfile.New(filepath.Join(filepath.Dir(path), "seal.heads"))}
	f.sealer = f.newSealer(t)
	return f
}

// newSealer returns a sealer over the fixture's store (as a restarted server would make).
func (f *fixture) newSealer(t testing.TB) *seal.Sealer {
	t.Helper()
	s, err := seal.New(seal.Config{Store: f.store, Tiles: f.store.MerkleTiles(), Seals: f.store.Seals(), Signer: f.signer,
		Verifier: f.verifier, Witness: f.witness, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reopen closes the store, runs tamper on the file and opens it again (read-only or not).
func (f *fixture) reopen(t *testing.T, readOnly bool, tamper func(t *testing.T, path string)) {
	t.Helper()
	f.store.Close()
	if tamper != nil {
		tamper(t, f.path)
	}
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: f.path, ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f.store = store
	if !readOnly {
		f.sealer = f.newSealer(t)
	}
}

// execSQL returns a tamper step that runs the statements on the file behind the store's back.
func execSQL(queries ...string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range queries {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
}

func (f *fixture) append(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.contribution_recorded", SchemaVersion: 1,
			Data: fmt.Appendf(nil, `{"contribution":"k%d","plain_text":"Idee %d"}`, i, i)}
		if _, err := f.store.Append(context.Background(), fmt.Sprintf("process-%d", i%3), eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) heads(t *testing.T) [][]byte {
	t.Helper()
	heads, err := f.store.Seals().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return heads
}

func TestSeals_prove_inclusion_and_consistency(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.append(t, 7)
	first, _, err := f.sealer.Seal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.append(t, 13)
	second, _, err := f.sealer.Seal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.Size != 7 || second.Size != 20 {
		t.Fatalf("heads of size %d and %d, want 7 and 20", first.Size, second.Size)
	}
	res, err := seal.VerifyLog(ctx, f.store, f.heads(t), f.verifier)
	if err != nil || len(res.Heads) != 2 || res.Events != 20 {
		t.Fatalf("verify: %+v, %v", res, err)
	}
	events, _ := f.store.ReadAll(ctx, eventstore.ReadAllOptions{})
	for i, e := range events {
		proof, err := f.sealer.Prove(second.Size, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(proof, second.Size, second.Root, int64(i), tlog.RecordHash(seal.LeafData(e))); err != nil {
			t.Fatalf("event %d is not proven included: %v", i, err)
		}
	}
	tp, err := f.sealer.ProveTree(second.Size, first.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(tp, second.Size, second.Root, first.Size, first.Root); err != nil {
		t.Fatalf("the second head does not extend the first: %v", err)
	}
}

func TestSeals_catch_a_rewritten_stream_with_recomputed_hashes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.append(t, 9)
	if _, _, err := f.sealer.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	heads := f.heads(t)
	f.store.Close()
	sqlitetest.RewriteStream(t, f.path, "process-1", []byte(`{"contribution":"k1","plain_text":"gefälscht"}`))
	store, err := sqlite.New(ctx, sqlite.Config{Path: f.path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Verify(ctx); err != nil {
		t.Fatalf("the rewrite should pass the chain check (that is what seals are for): %v", err)
	}
	_, err = seal.VerifyLog(ctx, store, heads, f.verifier)
	var mm *seal.Mismatch
	if !errors.As(err, &mm) || mm.Head.Size != 9 {
		t.Fatalf("verify: %v, want a mismatch with the head of size 9", err)
	}
}

func TestSeals_catch_removed_events_and_foreign_keys(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.append(t, 5)
	if _, _, err := f.sealer.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	heads := f.heads(t)
	_, otherV, _ := seal.GenerateKey("someone-else")
	other, _ := note.NewVerifier(otherV)
	if _, err := seal.VerifyLog(ctx, f.store, heads, other); !errors.Is(err, seal.ErrBadHead) {
		t.Fatalf("a head checked with another key: %v", err)
	}
	f.store.Close()
	db, _ := sql.Open("sqlite", f.path)
	if _, err := db.Exec(`DELETE FROM events WHERE position = 5; UPDATE log_head SET position = 4`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	store, _ := sqlite.New(ctx, sqlite.Config{Path: f.path, ReadOnly: true})
	defer store.Close()
	if _, err := seal.VerifyLog(ctx, store, heads, f.verifier); err == nil || !strings.Contains(err.Error(), "removed") {
		t.Fatalf("verify after removing the last event: %v", err)
	}
}

func TestPublicKey_derives_the_verifier_key_of_a_signer_key(t *testing.T) {
	skey, vkey, err := seal.GenerateKey("civicflow")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := seal.PublicKey(skey); err != nil || got != vkey {
		t.Fatalf("PublicKey = %q, %v; want %q", got, err, vkey)
	}
	if _, err := seal.PublicKey(vkey); err == nil {
		t.Fatal("a verifier key was taken for a signer key")
	}
}

// TestLeafData_keeps_its_format: the leaf is what every head committed to; its bytes never change.
func TestLeafData_keeps_its_format(t *testing.T) {
	var h eventstore.Hash
	for i := range h {
		h[i] = byte(i)
	}
	for _, e := range []eventstore.Event{
		{Position: eventstore.SequencePosition(12), Stream: "process-ab", Version: 3, Hash: h},
		{Position: eventstore.SequencePosition(1), Stream: "", Version: 1},
	} {
		want := fmt.Sprintf("civicflow event\n%s\n%s\n%d\n%s\n", e.Position, e.Stream, e.Version, e.Hash)
		if got := string(seal.LeafData(e)); got != want {
			t.Errorf("LeafData = %q; want %q", got, want)
		}
	}
}
