package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
	"github.com/civicflow/civicflow/workflows/seal"
)

// sealedStore is a store in a temporary directory with a seal key whose files the CLI finds
// through CIVICFLOW_AUDIT_SEAL_KEY_FILE (env).
type sealedStore struct {
	dir, db string
	env     []string
	store   *sqlite.Store
	sealer  *seal.Sealer
}

func newSealedStore(t *testing.T) *sealedStore {
	t.Helper()
	dir := t.TempDir()
	s := &sealedStore{dir: dir, db: filepath.Join(dir, "civicflow.db")}
	skey, vkey, err := seal.GenerateKey("civicflow-test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "seal.key")
	for f, k := range map[string]string{keyFile: skey, keyFile + ".pub": vkey} {
		if err := os.WriteFile(f, []byte(k+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.env = []string{"CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + keyFile}
	if s.store, err = sqlite.New(context.Background(), sqlite.Config{Path: s.db}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.store.Close() })
	signer, _ := note.NewSigner(skey)
	if s.sealer, err = seal.New(seal.Config{Store: s.store, Tiles: s.store.MerkleTiles(), Seals: s.store.Seals(), Signer: signer, Clock: time.Now}); err != nil {
		t.Fatal(err)
	}
	return s
}

// ack is an acknowledged append: the event and where the store put it.
type ack struct {
	id  uuid.UUID
	pos eventstore.Position
}

// appendOne appends one event to stream and returns its acknowledgement.
func (s *sealedStore) appendOne(ctx context.Context, stream string) (ack, error) {
	e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1,
		Data: []byte(`{"task":"define_subject","evidence":"Vermerk"}`), Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}}
	res, err := s.store.Append(ctx, stream, eventstore.Any, e)
	return ack{id: e.ID, pos: res.Position}, err
}

// fill appends n events to a few streams and seals the log.
func (s *sealedStore) fill(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.appendOne(context.Background(), fmt.Sprintf("process-%d", i%3)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.sealer.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (s *sealedStore) cli(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, s.env, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// A backup taken while four appenders and the sealer keep writing must restore into a store
// that verifies and holds every event acknowledged before the backup began, and exactly the log
// up to the backup's position: every acknowledged event at or below it, nothing after it.
func TestBackup_under_write_load_restores_every_acknowledged_event(t *testing.T) {
	t.Parallel()
	s := newSealedStore(t)
	s.fill(t, 10)
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				a, err := s.appendOne(context.Background(), fmt.Sprintf("process-load-%d", i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			if _, _, err := s.sealer.Seal(context.Background()); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	for n := 0; n < 200; {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		n = len(acks)
		mu.Unlock()
	}
	mu.Lock()
	before := len(acks)
	mu.Unlock()
	out := filepath.Join(s.dir, "backup.db")
	res := s.cli(t, "backup", "--db", s.db, "--out", out)
	time.Sleep(50 * time.Millisecond) // the load goes on after the backup
	stop()
	wg.Wait()
	if res.code != exitOK || !strings.Contains(res.stdout, "OK") {
		t.Fatalf("backup under load: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	restored := filepath.Join(s.dir, "restored", "civicflow.db")
	if res := s.cli(t, "restore", "--from", out, "--db", restored); res.code != exitOK {
		t.Fatalf("restore: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	r, err := sqlite.New(context.Background(), sqlite.Config{Path: restored, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	log, err := r.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	at := map[eventstore.Position]uuid.UUID{}
	for _, e := range log {
		at[e.Position] = e.ID
	}
	end := eventstore.SequencePosition(uint64(len(log)))
	t.Logf("%d events restored; %d of %d acknowledged appends came before the backup", len(log), before, len(acks))
	for i, a := range acks {
		inside := a.pos.Commit() <= end.Commit()
		switch {
		case i < before && !inside:
			t.Fatalf("append %d at %s was acknowledged before the backup began, but the backup ends at %s", i, a.pos, end)
		case inside && at[a.pos] != a.id:
			t.Fatalf("acknowledged event %s at %s is not in the restored store (found %s)", a.id, a.pos, at[a.pos])
		}
	}
	if len(acks) == before {
		t.Fatal("no append was acknowledged during or after the backup: the load did not overlap it")
	}
}

func TestBackup_and_restore_refuse_what_does_not_verify_or_is_in_the_way(t *testing.T) {
	t.Parallel()
	s := newSealedStore(t)
	s.fill(t, 30)
	good := filepath.Join(s.dir, "good.db")
	if res := s.cli(t, "backup", "--db", s.db, "--out", good); res.code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, backup, target string) // changes the backup or the target
		force   bool
		code    int
		says    string
	}{
		{"refuses_a_backup_whose_chain_is_broken", func(t *testing.T, backup, _ string) {
			execSQL(t, backup, `UPDATE events SET record = CAST(replace(CAST(record AS TEXT), 'Vermerk', 'Vermerx') AS BLOB) WHERE position = 7`)
		}, false, exitBroken, "does not verify"},
		{"refuses_a_backup_rewritten_with_recomputed_hashes_by_its_seals", func(t *testing.T, backup, _ string) {
			sqlitetest.RewriteStream(t, backup, "process-1", []byte(`{"task":"define_subject","evidence":"gefälscht"}`))
		}, false, exitBroken, "does not verify"},
		{"refuses_to_replace_a_non_empty_store_without_force", func(t *testing.T, _, target string) {
			copyFile(t, good, target)
		}, false, exitUsage, "--force"},
		{"refuses_a_store_in_use_even_with_force", func(t *testing.T, _, target string) {
			copyFile(t, good, target)
			open, err := sqlite.New(context.Background(), sqlite.Config{Path: target})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { open.Close() })
		}, true, exitFailure, "stop the server first"},
		{"replaces_a_store_not_in_use_with_force", func(t *testing.T, _, target string) {
			other := newSealedStore(t)
			other.fill(t, 3)
			other.store.Close()
			copyFile(t, other.db, target)
		}, true, exitOK, "restored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backup, target := filepath.Join(t.TempDir(), "backup.db"), filepath.Join(t.TempDir(), "civicflow.db")
			copyFile(t, good, backup)
			tt.prepare(t, backup, target)
			before, _ := os.ReadFile(target)
			args := []string{"restore", "--from", backup, "--db", target}
			if tt.force {
				args = append(args, "--force")
			}
			res := s.cli(t, args...)
			if res.code != tt.code || !strings.Contains(res.stdout+res.stderr, tt.says) {
				t.Fatalf("exit %d, want %d saying %q\n%s%s", res.code, tt.code, tt.says, res.stdout, res.stderr)
			}
			after, err := os.ReadFile(target)
			if errors.Is(err, fs.ErrNotExist) && before == nil {
				return
			}
			if tt.code == exitOK {
				if n := events(t, target); n != 30 {
					t.Fatalf("the restored store has %d events, the backup 30", n)
				}
			} else if !bytes.Equal(before, after) {
				t.Fatalf("a refused restore changed the target")
			}
		})
	}
	t.Run("backup_of_a_damaged_store_is_kept_as_broken_and_fails", func(t *testing.T) {
		s.store.Close()
		execSQL(t, s.db, `DELETE FROM events WHERE position = 12`)
		out := filepath.Join(t.TempDir(), "backup.db")
		res := s.cli(t, "backup", "--db", s.db, "--out", out)
		if res.code != exitBroken || !strings.Contains(res.stderr, out+".broken") || !strings.Contains(res.stdout, "position 12") {
			t.Fatalf("exit %d, want %d naming %s.broken and position 12\n%s%s", res.code, exitBroken, out, res.stdout, res.stderr)
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a backup that does not verify carries the backup's name (%v)", err)
		}
		if _, err := os.Stat(out + ".broken"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("backup_overwrites_nothing", func(t *testing.T) {
		if res := s.cli(t, "backup", "--db", s.db, "--out", good); res.code != exitUsage {
			t.Fatalf("backup onto an existing file: exit %d, want %d\n%s%s", res.code, exitUsage, res.stdout, res.stderr)
		}
	})
}

func execSQL(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// total_changes counts the rows the events view's triggers change (RowsAffected does not).
	db.SetMaxOpenConns(1)
	var before, after int64
	if err := db.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT total_changes()`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if n := after - before; n != 1 {
		t.Fatalf("%s changed %d rows, want 1", query, n)
	}
}

// events counts the events of the store at path.
func events(t *testing.T, path string) int {
	t.Helper()
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}
