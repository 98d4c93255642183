package seal_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
	"github.com/civicflow/civicflow/workflows/seal"
)

// changeRecordByte changes one byte of the stored record at position 5 (stream process-1, version
// 2) and leaves its stored hash as it was.
var changeRecordByte = execSQL(`UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE position = 5`)

func rewriteStream(t *testing.T, path string) {
	sqlitetest.RewriteStream(t, path, "process-1", []byte(`{"contribution":"k1","plain_text":"gefälscht"}`))
}

// TestVerify_names_what_differs seals 9 events (streams process-0, -1, -2 in turn: process-1 is at
// positions 2, 5 and 8), tampers with the file and expects seal.Verify to name the event.
func TestVerify_names_what_differs(t *testing.T) {
	tests := []struct {
		name      string
		tamper    func(t *testing.T, path string)
		noCache   bool // verify without the tree cache
		stream    string
		version   int64
		position  uint64
		saysLeaf  bool
		saysRange string
	}{
		{name: "one_byte_of_a_record_with_its_hash_left", tamper: changeRecordByte, noCache: true, stream: "process-1", version: 2, position: 5},
		{name: "one_byte_of_a_record_located_by_the_cache", tamper: changeRecordByte, stream: "process-1", version: 2, position: 5, saysLeaf: true},
		{name: "a_rewritten_stream_located_by_the_cache", tamper: rewriteStream, stream: "process-1", version: 1, position: 2, saysLeaf: true},
		{name: "a_rewritten_stream_without_a_cache_names_the_range", tamper: rewriteStream, noCache: true, saysRange: "positions 1 to 9"},
		{name: "a_rewritten_stream_with_the_cache_deleted_names_the_range", tamper: func(t *testing.T, path string) {
			rewriteStream(t, path)
			execSQL(`DELETE FROM merkle_tiles`)(t, path)
		}, saysRange: "positions 1 to 9"},
		{name: "a_deleted_last_event", tamper: execSQL(`DELETE FROM events WHERE position = 9`, `UPDATE log_head SET position = 8`), position: 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			f.append(t, 9)
			if _, _, err := f.sealer.Seal(ctx); err != nil {
				t.Fatal(err)
			}
			heads := f.heads(t)
			f.reopen(t, true, tc.tamper)
			cfg := seal.VerifyConfig{Store: f.store, Heads: heads, Key: f.verifier, Cache: seal.TileHashes(f.store.MerkleTiles())}
			if tc.noCache {
				cfg.Cache = nil
			}
			_, err := seal.Verify(ctx, cfg)
			var mm *seal.Mismatch
			if !errors.As(err, &mm) || mm.Head.Size != 9 {
				t.Fatalf("verify: %v, want a mismatch with the head of 9 events", err)
			}
			if tc.saysRange != "" {
				if mm.At != nil || !strings.Contains(err.Error(), tc.saysRange) || !strings.Contains(err.Error(), "cannot tell which") {
					t.Fatalf("verify: %v, want the range %q and no event named", err, tc.saysRange)
				}
				return
			}
			var ie *eventstore.IntegrityError
			if !errors.As(err, &ie) || ie.Stream != tc.stream || ie.Version != tc.version || ie.Position != eventstore.SequencePosition(tc.position) {
				t.Fatalf("verify: %v, want stream %q version %d position %d named", err, tc.stream, tc.version, tc.position)
			}
			if tc.saysLeaf && (mm.Leaf != int64(tc.position-1) || !strings.Contains(err.Error(), "rewritten")) {
				t.Fatalf("verify: leaf %d, %v; want leaf %d named", mm.Leaf, err, tc.position-1)
			}
		})
	}
}

// TestSealer_signs_only_a_log_that_extends_its_last_heads tampers with a sealed database as its
// writer could and seals again (a restarted server's sealer): it must refuse and sign nothing.
func TestSealer_signs_only_a_log_that_extends_its_last_heads(t *testing.T) {
	deleteSeals := execSQL(`DELETE FROM seals`)
	tests := []struct {
		name       string
		tamper     func(t *testing.T, path string)
		noWitness  bool // the heads file is gone too
		refuses    bool
		says       string
		sealsAfter int // seals in the database afterwards
	}{
		{name: "deleted_seals_and_cache_with_a_rewritten_stream", refuses: true, says: "does not extend the last head of", tamper: func(t *testing.T, path string) {
			deleteSeals(t, path)
			execSQL(`DELETE FROM merkle_tiles`)(t, path)
			rewriteStream(t, path)
		}},
		{name: "deleted_seals_with_a_rewritten_stream", refuses: true, says: "does not extend the last head of", tamper: func(t *testing.T, path string) {
			deleteSeals(t, path)
			rewriteStream(t, path)
		}},
		{name: "a_rewritten_stream_without_the_heads_file_is_caught_by_the_database_seal", noWitness: true, refuses: true, says: "the database's seals", tamper: rewriteStream, sealsAfter: 1},
		{name: "deleted_seals_and_a_removed_last_event", refuses: true, says: "events were removed", tamper: func(t *testing.T, path string) {
			deleteSeals(t, path)
			execSQL(`DELETE FROM events WHERE position = 9`, `UPDATE log_head SET position = 8`)(t, path)
		}},
		{name: "one_byte_of_a_record_with_its_hash_left", refuses: true, says: "does not give its stored chain hash", tamper: changeRecordByte, sealsAfter: 1},
		{name: "a_deleted_cache_is_rebuilt", tamper: execSQL(`DELETE FROM merkle_tiles`), sealsAfter: 1},
		{name: "a_changed_cache_is_rebuilt", tamper: execSQL(`UPDATE merkle_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 0`), sealsAfter: 1},
		{name: "deleted_seals_alone_are_sealed_again", tamper: deleteSeals, sealsAfter: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			f.append(t, 9)
			if _, _, err := f.sealer.Seal(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.noWitness {
				if err := os.Remove(f.witness.String()); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := f.witness.All(ctx)
			f.reopen(t, false, tc.tamper)
			_, _, err := f.sealer.Seal(ctx)
			after, _ := f.witness.All(ctx)
			if got := len(f.heads(t)); got != tc.sealsAfter {
				t.Errorf("%d seals in the database afterwards, want %d", got, tc.sealsAfter)
			}
			if !tc.refuses {
				if err != nil || len(after) != len(before)+1 {
					t.Fatalf("seal: %v, heads file %d → %d lines; want a new head", err, len(before), len(after))
				}
				if _, err := seal.Verify(ctx, seal.VerifyConfig{Store: f.store, Heads: append(f.heads(t), after...), Key: f.verifier}); err != nil {
					t.Fatalf("verify after sealing again: %v", err)
				}
				checkProofs(t, f, after[len(after)-1])
				return
			}
			if !errors.Is(err, seal.ErrRefused) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("seal: %v, want a refusal saying %q", err, tc.says)
			}
			if len(after) != len(before) {
				t.Fatalf("the heads file grew from %d to %d lines although the sealer refused", len(before), len(after))
			}
		})
	}
}

// checkProofs proves every event's inclusion in the signed head from the (rebuilt) cache.
func checkProofs(t *testing.T, f *fixture, signed []byte) {
	t.Helper()
	h, err := seal.OpenHead(signed, f.verifier)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.Size {
		if _, err := f.sealer.Prove(h.Size, i); err != nil {
			t.Fatalf("no inclusion proof for leaf %d from the cache: %v", i, err)
		}
	}
}

func TestVerify_takes_heads_from_several_sources(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.append(t, 4)
	if _, _, err := f.sealer.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	f.append(t, 3)
	if _, _, err := f.sealer.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	file, err := headsfile.Read(f.witness.String())
	if err != nil || len(file) != 2 {
		t.Fatalf("heads file: %d heads, %v", len(file), err)
	}
	t.Run("duplicates_from_the_database_and_two_files_count_once", func(t *testing.T) {
		res, err := seal.Verify(ctx, seal.VerifyConfig{Store: f.store, Heads: append(append(file[1:], f.heads(t)...), file...), Key: f.verifier})
		if err != nil || len(res.Heads) != 2 || res.Events != 7 {
			t.Fatalf("verify: %+v, %v", res, err)
		}
	})
	t.Run("two_heads_of_one_size_with_different_roots_are_a_fork", func(t *testing.T) {
		h, _ := seal.OpenHead(file[0], f.verifier)
		h.Root[0] ^= 1
		forged, err := note.Sign(&note.Note{Text: h.Text()}, f.signer)
		if err != nil {
			t.Fatal(err)
		}
		_, err = seal.Verify(ctx, seal.VerifyConfig{Store: f.store, Heads: append(file, forged), Key: f.verifier})
		var fork *seal.Fork
		if !errors.As(err, &fork) || fork.A.Size != 4 {
			t.Fatalf("verify: %v, want a fork at 4 events", err)
		}
	})
}
