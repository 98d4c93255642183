package seal_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicflow/civicflow/workflows/seal"
)

// stopped is a restarted server's sealer whose first seal, the full pass, was cancelled by a stop.
func (f *fixture) stopped(t *testing.T) {
	t.Helper()
	f.sealer = f.newSealer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := f.sealer.Seal(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled full pass: %v, want context.Canceled", err)
	}
}

// TestSealIncremental_seals_a_stop_during_the_first_pass: a server stopped while its first seal
// (the full pass) still ran seals the events since the last head at stop, from the tiles checked
// against that head, and the head it signs verifies against the log recomputed from its records.
func TestSealIncremental_seals_a_stop_during_the_first_pass(t *testing.T) {
	f := setup(t)
	f.appendMany(t, 600)
	first := f.sealAs(t, seal.PassFull)
	f.appendMany(t, 300) // written by the stopped server's last run, or while it was stopped
	f.stopped(t)
	h, _, err := f.sealer.SealIncremental(context.Background())
	if err != nil {
		t.Fatalf("the stop's seal: %v", err)
	}
	if h.Size != 900 || f.sealer.LastPass() != seal.PassIncremental {
		t.Fatalf("the stop's seal covers %d events in a %s pass, want 900, incremental", h.Size, f.sealer.LastPass())
	}
	f.checkTiles(t, h)
	if _, err := f.sealer.ProveTree(h.Size, first.Size); err != nil {
		t.Fatal(err)
	}
	// The next start's full pass accepts it, and so does a second stop's seal without new events.
	f.sealer = f.newSealer(t)
	f.checkTiles(t, f.sealAs(t, seal.PassFull))
	f.stopped(t)
	if h2, _, err := f.sealer.SealIncremental(context.Background()); err != nil || h2.Size != 900 {
		t.Fatalf("a stop's seal without new events: %v, %v", h2.Size, err)
	}
}

// TestSealIncremental_does_not_cover_a_record_changed_while_stopped: a sealed record changed while
// the server was stopped is not read by the stop's seal, so its head commits to the sealed leaf:
// verification against it names the event, and the next start's full pass refuses the log.
func TestSealIncremental_does_not_cover_a_record_changed_while_stopped(t *testing.T) {
	f := setup(t)
	f.appendMany(t, 600)
	f.sealAs(t, seal.PassFull)
	execSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 7`)(t, f.path)
	f.appendMany(t, 10)
	f.stopped(t)
	h, _, err := f.sealer.SealIncremental(context.Background())
	if err != nil {
		t.Fatalf("the stop's seal: %v", err)
	}
	_, err = seal.Verify(context.Background(), seal.VerifyConfig{Store: f.store, Heads: f.heads(t)[1:], Key: f.verifier, Cache: seal.TileHashes(f.store.MerkleTiles())})
	var mm *seal.Mismatch
	if !errors.As(err, &mm) || mm.Head.Size != h.Size || mm.Leaf != 6 {
		t.Fatalf("verify against the stop's head only: %v, want leaf 6 (position 7) named", err)
	}
	f.sealer = f.newSealer(t)
	if _, _, err := f.sealer.Seal(context.Background()); !errors.Is(err, seal.ErrRefused) {
		t.Fatalf("the next start's full pass: %v, want a refusal", err)
	}
}

// TestSealIncremental_signs_nothing_it_cannot_extend: where the stop's seal cannot extend a head
// whose signed root the tiles give, through checked chains, it signs nothing and says why; the
// heads file and the seals stay as they were.
func TestSealIncremental_signs_nothing_it_cannot_extend(t *testing.T) {
	tests := []struct {
		name   string
		sealed bool   // a full pass sealed the first 420 events before the stop
		tamper string // run after 3 events more were appended
		setup  func(t *testing.T, f *fixture)
		says   string
	}{
		{name: "no_head_signed_yet", says: "no head was signed yet"},
		{name: "a_changed_tile_on_the_right_edge", sealed: true, says: "the tiles do not give the signed root",
			tamper: `UPDATE merkle_tiles SET hashes = CAST(substr(hashes, 1, length(hashes) - 32) || zeroblob(32) AS BLOB) WHERE level = 0 AND idx = 1`},
		{name: "deleted_tiles", sealed: true, tamper: `DELETE FROM merkle_tiles`, says: "the tiles do not give the signed root"},
		{name: "deleted_seals", sealed: true, tamper: `DELETE FROM seals`, says: "seal.heads (420 events) has a last head"},
		{name: "a_missing_heads_file", sealed: true, says: "only the database's seals (420 events) has a last head", setup: func(t *testing.T, f *fixture) {
			if err := os.Remove(f.witness.String()); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a_changed_stored_hash_of_the_event_a_new_one_follows", sealed: true, says: "does not give its stored chain hash",
			tamper: `UPDATE events SET hash = zeroblob(32) WHERE position = 420`},
		{name: "a_changed_record_among_the_new_events", sealed: true, says: "does not give its stored chain hash",
			tamper: `UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 421`},
		{name: "a_removed_last_sealed_event", sealed: true, says: "last sealed event",
			tamper: `DELETE FROM events WHERE position = 420`},
		{name: "a_refusal_in_this_run", sealed: true, says: "refused", setup: func(t *testing.T, f *fixture) {
			execSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 7`)(t, f.path)
			f.sealer = f.newSealer(t)
			if _, _, err := f.sealer.Seal(context.Background()); !errors.Is(err, seal.ErrRefused) {
				t.Fatalf("the full pass: %v, want a refusal", err)
			}
		}},
		{name: "no_verifier", sealed: true, says: "verifier", setup: func(t *testing.T, f *fixture) {
			s, err := seal.New(seal.Config{Store: f.store, Tiles: f.store.MerkleTiles(), Seals: f.store.Seals(), Signer: f.signer, Clock: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			f.sealer = s
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			f.appendMany(t, 420)
			if tc.sealed {
				f.sealAs(t, seal.PassFull)
			}
			f.append(t, 3)
			if tc.tamper != "" {
				execSQL(tc.tamper)(t, f.path)
			}
			f.stopped(t)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			before, _ := f.witness.All(context.Background())
			seals := len(f.heads(t))
			_, _, err := f.sealer.SealIncremental(context.Background())
			if !errors.Is(err, seal.ErrNotSealed) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("the stop's seal: %v, want nothing sealed, saying %q", err, tc.says)
			}
			if after, _ := f.witness.All(context.Background()); len(after) != len(before) || len(f.heads(t)) != seals {
				t.Fatalf("heads file %d → %d heads, seals %d → %d: the stop's seal signed something", len(before), len(after), seals, len(f.heads(t)))
			}
		})
	}
}

// TestSealer_a_paced_full_pass_ends_when_its_context_does: a full pass that works a small share
// of the time (here it waits ~99 minutes after each slice, by a clock that jumps a minute per
// look) ends with its context, signing nothing: a stop does not wait for it.
func TestSealer_a_paced_full_pass_ends_when_its_context_does(t *testing.T) {
	f := setup(t)
	f.appendMany(t, 2000)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Add(int64(time.Minute))) }
	s, err := seal.New(seal.Config{Store: f.store, Tiles: f.store.MerkleTiles(), Seals: f.store.Seals(), Signer: f.signer,
		Verifier: f.verifier, Witness: f.witness, Clock: clock, PassShare: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := s.Seal(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the paced full pass: %v, want it ended by its context", err)
	}
	if len(f.heads(t)) != 0 {
		t.Fatal("the paced pass signed a head")
	}
	// Unpaced, the same pass seals.
	if h := f.sealAs(t, seal.PassFull); h.Size != 2000 {
		t.Fatalf("sealed %d events, want 2000", h.Size)
	}
	if _, err := seal.New(seal.Config{Store: f.store, Tiles: f.store.MerkleTiles(), Seals: f.store.Seals(), Signer: f.signer, Clock: clock, PassShare: 1.5}); err == nil || !strings.Contains(err.Error(), "PassShare") {
		t.Fatalf("PassShare 1.5: %v, want an error naming it", err)
	}
}
