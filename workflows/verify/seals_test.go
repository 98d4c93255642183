package verify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/verify"
)

// heads returns the database's signed heads (what the server's heads file also holds).
func heads(t *testing.T, s *sqlite.Store) [][]byte {
	t.Helper()
	h, err := s.Seals().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestStore_seals_with_heads_outside_the_database(t *testing.T) {
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	tests := []struct {
		name     string
		tamper   string
		rewrite  bool
		witness  bool // the heads as the server's heads file holds them
		clock    func() time.Time
		status   string
		says     string
		position string
	}{
		{name: "an_intact_log_with_its_heads_file", witness: true, status: verify.StatusOK, says: "1 heads files"},
		{name: "deleted_seals_are_broken_with_a_heads_file", tamper: `DELETE FROM seals`, witness: true, status: verify.StatusBroken, says: "seals were deleted"},
		{name: "deleted_seals_are_broken_when_the_log_is_older_than_the_interval", tamper: `DELETE FROM seals`, clock: later, status: verify.StatusBroken, says: "no seals, although the log began"},
		{name: "no_seals_in_a_young_log_are_skipped", tamper: `DELETE FROM seals`, clock: time.Now, status: verify.StatusSkipped, says: "none due yet"},
		{name: "deleted_seals_and_a_rewritten_stream_name_the_first_rewritten_event", tamper: `DELETE FROM seals`, rewrite: true, witness: true,
			status: verify.StatusBroken, says: "rewritten", position: "2"},
		{name: "a_deleted_tree_cache_is_no_problem", tamper: `DELETE FROM merkle_tiles`, witness: true, status: verify.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, path, key := logWith(t)
			file := heads(t, s)
			if tc.tamper != "" {
				exec(t, path, tc.tamper)
			}
			if tc.rewrite {
				sqlitetest.RewriteStream(t, path, "process-b", []byte(`{"task":"gefälscht"}`))
			}
			cfg := verify.Config{Store: s, Heads: s.Seals().List, Hashes: seal.TileHashes(s.MerkleTiles()), Key: key, SealInterval: time.Hour, Clock: tc.clock}
			if tc.witness {
				cfg.Witnesses = []verify.Witness{{Name: "/etc/civicflow/seal.heads", Heads: func(context.Context) ([][]byte, error) { return file, nil }}}
			}
			v, _ := verify.New(cfg)
			c := byName(v.Store(context.Background()), "seals")
			msg := c.Detail
			if c.Problem != nil {
				msg += " " + c.Problem.Message
			}
			if c.Status != tc.status || !strings.Contains(msg, tc.says) {
				t.Fatalf("seals %s: %q, want %s saying %q", c.Status, msg, tc.status, tc.says)
			}
			if tc.position != "" && (c.Problem.Position != tc.position || c.Problem.Stream != "process-b" || c.Problem.Version != 1) {
				t.Fatalf("problem at %+v, want process-b version 1 at position %s", c.Problem, tc.position)
			}
		})
	}
}

func TestProcess_inclusion_does_not_need_the_tree_cache(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		rewrite bool
		status  string
		says    string
	}{
		{name: "a_deleted_cache_is_recomputed_not_reported_as_a_rewrite", tamper: `DELETE FROM merkle_tiles`, status: verify.StatusOK, says: "tree recomputed"},
		{name: "a_changed_cache_is_recomputed", tamper: `UPDATE merkle_tiles SET hashes = zeroblob(length(hashes))`, status: verify.StatusOK, says: "tree recomputed"},
		{name: "a_changed_leaf_in_a_tile_is_recomputed", tamper: `UPDATE merkle_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 0`, status: verify.StatusOK, says: "tree recomputed"},
		{name: "a_changed_record_byte_with_its_hash_left_is_not_included", status: verify.StatusBroken, says: "rewritten after sealing",
			tamper: `UPDATE events SET record = CAST(substr(record, 1, length(record) - 3) || 'Z' || substr(record, length(record) - 1) AS BLOB) WHERE stream = 'process-a' AND version = 2`},
		{name: "a_rewritten_stream_without_the_cache_is_broken", tamper: `DELETE FROM merkle_tiles`, rewrite: true, status: verify.StatusBroken, says: "cannot tell which"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, path, key := logWith(t)
			exec(t, path, tc.tamper)
			if tc.rewrite {
				sqlitetest.RewriteStream(t, path, "process-a", []byte(`{"task":"gefälscht"}`))
			}
			v, _ := verify.New(verify.Config{Store: s, Heads: s.Seals().List, Hashes: seal.TileHashes(s.MerkleTiles()), Key: key})
			rep, err := v.Process(context.Background(), "a")
			if err != nil {
				t.Fatal(err)
			}
			c := byName(rep, "inclusion")
			msg := c.Detail
			if c.Problem != nil {
				msg += " " + c.Problem.Message
			}
			if c.Status != tc.status || !strings.Contains(msg, tc.says) {
				t.Fatalf("inclusion %s: %q, want %s saying %q", c.Status, msg, tc.status, tc.says)
			}
		})
	}
}
