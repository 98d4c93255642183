package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
)

// seedLog writes three streams of four events each, interleaved, and closes the store.
// Positions: stream a has 1,4,7,10; b has 2,5,8,11; c has 3,6,9,12.
func seedLog(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tamper.db")
	s := open(t, sqlite.Config{Path: path})
	for range 4 {
		for _, stream := range []string{"process-a", "process-b", "process-c"} {
			if _, err := s.Append(context.Background(), stream, eventstore.Any, benchEvent()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerify_detects_tampering(t *testing.T) {
	cases := []struct {
		name     string
		sql      []string
		rewrite  func(t *testing.T, path string)
		stream   string
		version  int64
		position uint64
		problem  string
	}{
		{"a_changed_payload_byte",
			[]string{`UPDATE events SET record = CAST(substr(record, 1, length(record) - 5) || 'X' || substr(record, length(record) - 3) AS BLOB) WHERE position = 5`}, nil,
			"process-b", 2, 5, "hash does not match"},
		{"a_changed_hash",
			[]string{`UPDATE events SET hash = zeroblob(32) WHERE position = 7`}, nil,
			"process-a", 3, 7, "hash does not match"},
		{"a_deleted_event",
			[]string{`DELETE FROM events WHERE position = 6`}, nil,
			"", 0, 6, "position 6 is missing"},
		{"a_deleted_event_with_positions_closed_up",
			[]string{`DELETE FROM events WHERE position = 6`, `UPDATE events SET position = position - 1 WHERE position > 6`, `UPDATE log_head SET position = 11`}, nil,
			"process-c", 3, 8, "version 3 follows version 1"},
		{"two_swapped_events_of_one_stream",
			[]string{`UPDATE events SET position = -4 WHERE position = 4`, `UPDATE events SET position = 4 WHERE position = 7`, `UPDATE events SET position = 7 WHERE position = -4`}, nil,
			"process-a", 3, 4, "version 3 follows version 1"},
		{"two_swapped_payloads",
			[]string{`UPDATE events SET record = (SELECT record FROM events WHERE position = 2) WHERE position = 3`}, nil,
			"process-c", 1, 3, "column differs from the stored record"},
		{"a_removed_tail",
			[]string{`DELETE FROM events WHERE position = 12`}, nil,
			"", 0, 11, "events at the end are missing"},
		{"a_changed_type_column",
			[]string{`UPDATE events SET type = 'process.cancelled' WHERE position = 9`}, nil,
			"process-c", 3, 9, "type column differs"},
		{"a_truncated_record",
			[]string{`UPDATE events SET record = substr(record, 1, 20) WHERE position = 10`}, nil,
			"process-a", 4, 10, "stored record is damaged"},
		// The chain link itself: version 2 of process-a rewritten with its own hash recomputed
		// from version 1's; only version 3's link to it can tell.
		{"a_middle_event_rewritten_with_only_its_own_hash_recomputed_names_the_next_version", nil,
			func(t *testing.T, path string) { sqlitetest.RewriteEvent(t, path, 4, []byte(`{"rewritten":true}`)) },
			"process-a", 3, 7, "hash does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := seedLog(t)
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()
			if tc.rewrite != nil {
				tc.rewrite(t, path)
			}
			s := open(t, sqlite.Config{Path: path, ReadOnly: true})
			err = s.Verify(context.Background())
			var ie *eventstore.IntegrityError
			if !errors.Is(err, eventstore.ErrIntegrity) || !errors.As(err, &ie) {
				t.Fatalf("verify: %v, want an *IntegrityError", err)
			}
			if ie.Stream != tc.stream || ie.Version != tc.version || ie.Position != eventstore.SequencePosition(tc.position) {
				t.Fatalf("verify named stream %q version %d position %s, want %q %d %d: %v", ie.Stream, ie.Version, ie.Position, tc.stream, tc.version, tc.position, err)
			}
			if !strings.Contains(ie.Problem, tc.problem) {
				t.Fatalf("problem %q does not say %q", ie.Problem, tc.problem)
			}
		})
	}
	t.Run("an_untouched_copy_verifies", func(t *testing.T) {
		s := open(t, sqlite.Config{Path: seedLog(t), ReadOnly: true})
		if err := s.Verify(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
