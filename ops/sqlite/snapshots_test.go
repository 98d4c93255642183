package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestSnapshots_large_data_is_stored_compressed: a snapshot of JSON states (as the process list
// saves) takes a fraction of its size in the table and loads byte for byte; small and
// incompressible data is stored as it is; a row of an earlier release (encoding 0) still loads.
func TestSnapshots_large_data_is_stored_compressed(t *testing.T) {
	var states strings.Builder
	for i := range 200 {
		fmt.Fprintf(&states, `{"id":"01a245f1-7788-77ba-b1b4-%012d","tenant":"leipzig","title":"Verlauf %d","status":"active","stage":"tender"}`, i, i)
	}
	random := make([]byte, 4096)
	rand.Read(random)
	cases := []struct {
		name       string
		data       []byte
		compressed bool
	}{
		{"json_states", []byte(states.String()), true},
		{"small", []byte(`{"a":1}`), false},
		{"incompressible", random, false},
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "snap.db")
	s := open(t, sqlite.Config{Path: path})
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stream := fmt.Sprintf("process-%d", i)
			if err := s.Snapshots().Save(ctx, stream, eventstore.Snapshot{Version: 3, Schema: 2, Data: tc.data}); err != nil {
				t.Fatal(err)
			}
			var stored int
			var encoding int
			if err := s.ProjectionReadDB().QueryRow(`SELECT length(data), encoding FROM snapshots WHERE stream = ?`, stream).Scan(&stored, &encoding); err != nil {
				t.Fatal(err)
			}
			if tc.compressed && (encoding == 0 || 4*stored > len(tc.data)) || !tc.compressed && (encoding != 0 || stored != len(tc.data)) {
				t.Fatalf("stored %d bytes with encoding %d for %d bytes of data, want compressed = %v", stored, encoding, len(tc.data), tc.compressed)
			}
			got, ok, err := s.Snapshots().Load(ctx, stream)
			if err != nil || !ok || !bytes.Equal(got.Data, tc.data) || got.Version != 3 || got.Schema != 2 {
				t.Fatalf("loaded %d bytes, %v, %v; want the saved snapshot", len(got.Data), ok, err)
			}
		})
	}
	t.Run("a_row_of_an_earlier_release", func(t *testing.T) {
		if _, err := raw.Exec(`INSERT INTO snapshots (stream, version, schema, event_hash, data) VALUES ('old', 1, 1, zeroblob(32), CAST('{"old":true}' AS BLOB))`); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Snapshots().Load(ctx, "old")
		if err != nil || !ok || string(got.Data) != `{"old":true}` {
			t.Fatalf("loaded %q, %v, %v", got.Data, ok, err)
		}
	})
	t.Run("damaged_compressed_data_is_an_error", func(t *testing.T) {
		if _, err := raw.Exec(`UPDATE snapshots SET data = substr(data, 1, 20) WHERE stream = 'process-0'`); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Snapshots().Load(ctx, "process-0"); err == nil {
			t.Fatal("loaded a truncated compressed snapshot without error")
		}
	})
}
