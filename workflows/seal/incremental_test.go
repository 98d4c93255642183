package seal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/seal"
)

// appendMany appends n events in batches of 500 to streams process-0 … process-99 in turn.
func (f *fixture) appendMany(t testing.TB, n int) {
	t.Helper()
	for i := 0; i < n; i += 500 {
		batch := make([]eventstore.EventData, 0, 500)
		for k := i; k < min(i+500, n); k++ {
			batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.contribution_recorded", SchemaVersion: 1,
				Data: fmt.Appendf(nil, `{"contribution":"k%d","plain_text":"Idee %d für den Spielplatz am Lindenauer Markt"}`, k, k)})
		}
		if _, err := f.store.Append(context.Background(), fmt.Sprintf("process-%d", (i/500)%100), eventstore.Any, batch...); err != nil {
			t.Fatal(err)
		}
	}
}

// sealAs seals and checks how the sealer checked the log.
func (f *fixture) sealAs(t *testing.T, want seal.Pass) seal.Head {
	t.Helper()
	h, _, err := f.sealer.Seal(context.Background())
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	if got := f.sealer.LastPass(); got != want {
		t.Fatalf("the seal of %d events was a %s pass, want %s", h.Size, got, want)
	}
	return h
}

// checkTiles checks that the tiles give head h's root and every head in the database verifies
// against the log recomputed from its records.
func (f *fixture) checkTiles(t *testing.T, h seal.Head) {
	t.Helper()
	if root, err := tlog.TreeHash(h.Size, seal.TileHashes(f.store.MerkleTiles())); err != nil || root != h.Root {
		t.Fatalf("the tiles' root at %d events: %v, %v; want the head's %v", h.Size, root, err, h.Root)
	}
	if _, err := seal.Verify(context.Background(), seal.VerifyConfig{Store: f.store, Heads: f.heads(t), Key: f.verifier}); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// TestSealer_extends_the_tree_by_the_new_events crosses tile boundaries (256 leaves; 65,536 for
// a tile of level 1) with seals of every kind of step, and checks each head against a full
// recomputation.
func TestSealer_extends_the_tree_by_the_new_events(t *testing.T) {
	f := setup(t)
	f.append(t, 1)
	f.checkTiles(t, f.sealAs(t, seal.PassFull))
	f.checkTiles(t, f.sealAs(t, seal.PassIncremental)) // no new events
	steps := []int{254, 1, 1, 300, 255, 512, 1}
	if !testing.Short() {
		steps = append(steps, 65536-len(steps)-1325, 1, 1, 700)
	}
	for _, n := range steps {
		f.appendMany(t, n)
		f.checkTiles(t, f.sealAs(t, seal.PassIncremental))
	}
	// A restarted server's sealer checks everything once, keeps the tiles, then goes on.
	f.sealer = f.newSealer(t)
	f.checkTiles(t, f.sealAs(t, seal.PassFull))
	f.appendMany(t, 3)
	f.checkTiles(t, f.sealAs(t, seal.PassIncremental))
}

// TestSealer_falls_back_to_a_full_pass changes the database behind a running sealer's back
// (after an incremental seal): what the incremental seal relies on must make it a full pass,
// which repairs the tiles or refuses.
func TestSealer_falls_back_to_a_full_pass(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		appends bool      // append events to streams process-0 … 2 after the tampering
		pass    seal.Pass // how the next seal checks the log, when it seals
		refuses string    // what the refusal says, when the next seal refuses
	}{
		{name: "a_changed_tile_on_the_right_edge", tamper: `UPDATE merkle_tiles SET hashes = CAST(substr(hashes, 1, length(hashes) - 32) || zeroblob(32) AS BLOB) WHERE level = 0 AND idx = 1`, appends: true, pass: seal.PassFull},
		{name: "a_changed_tile_of_level_1", tamper: `UPDATE merkle_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 1`, pass: seal.PassFull},
		{name: "deleted_tiles", tamper: `DELETE FROM merkle_tiles`, appends: true, pass: seal.PassFull},
		{name: "a_deleted_partial_tile", tamper: `DELETE FROM merkle_tiles WHERE level = 0 AND idx = 1`, pass: seal.PassFull},
		{name: "deleted_seals", tamper: `DELETE FROM seals`, pass: seal.PassFull},
		// A tile inside the tree is not read by an incremental seal (it needs the right edge
		// only); the next full pass (the next start) finds and rewrites it.
		{name: "a_changed_inner_tile_waits_for_the_next_full_pass", tamper: `UPDATE merkle_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 0`, appends: true, pass: seal.PassIncremental},
		{name: "a_changed_stored_hash_of_the_event_a_new_one_follows", appends: true, refuses: "does not give its stored chain hash",
			tamper: `UPDATE events SET hash = zeroblob(32) WHERE position = 420`},
		{name: "a_changed_record_among_the_new_events", appends: true, refuses: "does not give its stored chain hash",
			tamper: `UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 421`},
		{name: "a_removed_last_sealed_event", refuses: "events were removed",
			tamper: `DELETE FROM events WHERE position = 420; UPDATE log_head SET position = 419`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			f.appendMany(t, 400) // process-0 at positions 1–400, then 401–420
			f.sealAs(t, seal.PassFull)
			f.appendMany(t, 20)
			f.sealAs(t, seal.PassIncremental)
			tamper := execSQL(tc.tamper)
			if !tc.appends || strings.HasPrefix(tc.tamper, "UPDATE events SET hash") {
				tamper(t, f.path)
			}
			if tc.appends {
				for i := range 3 {
					if _, err := f.store.Append(context.Background(), fmt.Sprintf("process-%d", i), eventstore.Any,
						eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.contribution_recorded", SchemaVersion: 1, Data: []byte(`{"k":1}`)}); err != nil {
						t.Fatal(err)
					}
				}
				if !strings.HasPrefix(tc.tamper, "UPDATE events SET hash") {
					tamper(t, f.path)
				}
			}
			before, _ := f.witness.All(context.Background())
			if tc.refuses == "" {
				h := f.sealAs(t, tc.pass)
				if _, err := seal.Verify(context.Background(), seal.VerifyConfig{Store: f.store, Heads: f.heads(t), Key: f.verifier}); err != nil {
					t.Fatalf("verify: %v", err)
				}
				if tc.pass == seal.PassIncremental {
					f.sealer = f.newSealer(t)
					h = f.sealAs(t, seal.PassFull)
				}
				f.checkTiles(t, h)
				f.appendMany(t, 1)
				f.checkTiles(t, f.sealAs(t, seal.PassIncremental))
				return
			}
			_, _, err := f.sealer.Seal(context.Background())
			if !errors.Is(err, seal.ErrRefused) || !strings.Contains(err.Error(), tc.refuses) {
				t.Fatalf("seal: %v, want a refusal saying %q", err, tc.refuses)
			}
			_, _, err = f.sealer.Seal(context.Background())
			if !errors.Is(err, seal.ErrRefused) {
				t.Fatalf("the seal after a refusal: %v, want a refusal again (a full pass)", err)
			}
			if after, _ := f.witness.All(context.Background()); len(after) != len(before) {
				t.Fatalf("the heads file grew from %d to %d heads although the sealer refused", len(before), len(after))
			}
		})
	}
}

// TestSealer_extends_only_the_sealed_leaves is the argument for the incremental seal: a sealed
// record changed behind the running sealer's back, in a stream that does not go on, is not read
// by the incremental seal — but the head it signs commits to the sealed leaf, not to the changed
// record, so verification against that new head names the event as it does against the old one.
func TestSealer_extends_only_the_sealed_leaves(t *testing.T) {
	f := setup(t)
	f.appendMany(t, 600) // process-0 at positions 1–500, process-1 at 501–600
	f.sealAs(t, seal.PassFull)
	execSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 7`)(t, f.path)
	f.appendMany(t, 10) // process-0 again, after its last event (position 500), not after 7
	h := f.sealAs(t, seal.PassIncremental)
	if root, err := tlog.TreeHash(h.Size, seal.TileHashes(f.store.MerkleTiles())); err != nil || root != h.Root {
		t.Fatalf("tiles: %v, %v", root, err)
	}
	_, err := seal.Verify(context.Background(), seal.VerifyConfig{Store: f.store, Heads: f.heads(t)[1:], Key: f.verifier, Cache: seal.TileHashes(f.store.MerkleTiles())})
	var mm *seal.Mismatch
	if !errors.As(err, &mm) || mm.Head.Size != 610 || mm.Leaf != 6 {
		t.Fatalf("verify against the new head only: %v, want leaf 6 (position 7) named", err)
	}
	f.sealer = f.newSealer(t) // a restart: the full pass refuses
	if _, _, err := f.sealer.Seal(context.Background()); !errors.Is(err, seal.ErrRefused) {
		t.Fatalf("the full pass after a restart: %v, want a refusal", err)
	}
}
