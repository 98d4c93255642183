package verify_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/verify"
)

// logWith writes two processes of three events each, interleaved, and seals them; it returns the
// store, the file and the public key.
func logWith(t *testing.T) (*sqlite.Store, string, note.Verifier) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicflow.db")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range 6 {
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1, Data: []byte(`{"task":"t"}`)}
		if _, err := s.Append(context.Background(), []string{"process-a", "process-b"}[i%2], eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	skey, vkey, _ := seal.GenerateKey("test")
	signer, _ := note.NewSigner(skey)
	key, _ := note.NewVerifier(vkey)
	sealer, err := seal.New(seal.Config{Store: s, Tiles: s.MerkleTiles(), Seals: s.Seals(), Signer: signer, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sealer.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, path, key
}

func exec(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func byName(rep verify.Report, name string) verify.Check {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	return verify.Check{}
}

func TestStore_passes_a_sealed_log_and_skips_seals_without_a_key(t *testing.T) {
	s, _, key := logWith(t)
	v, _ := verify.New(verify.Config{Store: s, Heads: s.Seals().List, Key: key})
	if rep := v.Store(context.Background()); !rep.OK || byName(rep, "log").Status != verify.StatusOK || byName(rep, "seals").Status != verify.StatusOK {
		t.Fatalf("%+v", rep)
	}
	v, _ = verify.New(verify.Config{Store: s})
	if rep := v.Store(context.Background()); !rep.OK || byName(rep, "seals").Status != verify.StatusSkipped {
		t.Fatalf("without a key: %+v", rep)
	}
}

func TestStore_names_the_first_broken_event(t *testing.T) {
	s, path, _ := logWith(t)
	exec(t, path, `UPDATE events SET hash = zeroblob(32) WHERE stream = 'process-b' AND version = 2`)
	v, _ := verify.New(verify.Config{Store: s})
	rep := v.Store(context.Background())
	p := rep.First().Problem
	if rep.OK || rep.First().Name != "log" || p.Stream != "process-b" || p.Version != 2 || p.Position != "4" {
		t.Fatalf("%+v %+v", rep, p)
	}
}

func TestProcess_checks_its_chain_log_positions_and_seal(t *testing.T) {
	cases := []struct {
		name, tamper, check, want string
	}{
		{"clean", "", "", ""},
		{"changed_hash", `UPDATE events SET hash = zeroblob(32) WHERE stream = 'process-a' AND version = 3`, "stream", "hash does not match"},
		{"positions_swapped", `UPDATE events SET position = 100 WHERE position = 1; UPDATE events SET position = 1 WHERE position = 3; UPDATE events SET position = 3 WHERE position = 100`, "in_log", "moved or swapped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, path, key := logWith(t)
			if c.tamper != "" {
				exec(t, path, c.tamper)
			}
			v, _ := verify.New(verify.Config{Store: s, Heads: s.Seals().List, Hashes: seal.TileHashes(s.MerkleTiles()), Key: key})
			rep, err := v.Process(context.Background(), "a")
			if err != nil {
				t.Fatal(err)
			}
			if c.check == "" {
				if !rep.OK || byName(rep, "inclusion").Status != verify.StatusOK {
					t.Fatalf("%+v", rep)
				}
				return
			}
			got := byName(rep, c.check)
			if rep.OK || got.Status != verify.StatusBroken || !strings.Contains(got.Problem.Message, c.want) || got.Problem.Stream != "process-a" {
				t.Fatalf("%+v", rep)
			}
		})
	}
}

func TestProcess_without_events_is_ErrNoProcess(t *testing.T) {
	s, _, _ := logWith(t)
	v, _ := verify.New(verify.Config{Store: s})
	if _, err := v.Process(context.Background(), "nobody"); !errors.Is(err, verify.ErrNoProcess) {
		t.Fatalf("err = %v", err)
	}
}
