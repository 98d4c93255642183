package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/google/uuid"
)

// v7Store writes a database as release 7 of the schema did: events in the events table, with
// their records and chained hashes; extra runs statements on it afterwards (tampering).
func v7Store(t *testing.T, extra ...string) (string, []eventstore.Event) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v7.db")
	if err := sqlite.CreateAtVersion(ctx, path, 7); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var events []eventstore.Event
	prev := map[string]eventstore.Hash{}
	versions := map[string]int64{}
	for i := range 9 {
		stream := []string{"process-a", "token-b", "plain"}[i%3]
		versions[stream]++
		cmd := uuid.NewString()
		e := eventstore.Event{ID: uuid.New(), Stream: stream, Version: versions[stream], Type: fmt.Sprintf("kind.t%d", i%2),
			SchemaVersion: 1, RecordedAt: time.Unix(1_790_000_000+int64(i), 0).UTC(), Data: []byte(`{"n":` + fmt.Sprint(i) + `}`),
			Metadata: eventstore.Metadata{Tenant: "leipzig", CommandID: cmd, CorrelationID: cmd, CausationID: cmd}}
		rec := eventstore.EncodeRecord(e)
		e.Hash = eventstore.ChainHash(prev[stream], rec)
		prev[stream] = e.Hash
		e.Position = eventstore.SequencePosition(uint64(i + 1))
		if _, err := db.Exec(`INSERT INTO events (position, stream, version, event_id, type, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			i+1, stream, e.Version, e.ID[:], e.Type, rec, e.Hash[:]); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	for _, q := range append([]string{`UPDATE log_head SET position = 9`}, extra...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path, events
}

func TestMigration8_keeps_every_event_and_every_tampering(t *testing.T) {
	t.Run("the_events_read_and_verify_as_before_in_fewer_bytes", func(t *testing.T) {
		path, want := v7Store(t)
		s := open(t, sqlite.Config{Path: path})
		ctx := context.Background()
		if err := s.Verify(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("read %d events, want %d", len(got), len(want))
		}
		for i := range want {
			if string(eventstore.EncodeRecord(got[i])) != string(eventstore.EncodeRecord(want[i])) || got[i].Hash != want[i].Hash || got[i].Position != want[i].Position {
				t.Fatalf("event %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
		var raw int
		if err := s.ProjectionReadDB().QueryRow(`SELECT count(*) FROM event_log WHERE substr(body, 1, 3) = 'CFR'`).Scan(&raw); err != nil || raw != 0 {
			t.Fatalf("%d events kept raw (%v), want all compact", raw, err)
		}
		// The next append continues each stream's chain and a new category.
		for _, stream := range []string{"process-a", "plain", "other-x"} {
			if _, err := s.Append(ctx, stream, eventstore.Any, benchEvent()); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Verify(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{"token-"}}})
		if err != nil || len(page) != 3 {
			t.Fatalf("read %d token events (%v), want 3", len(page), err)
		}
	})
	cases := []struct {
		name, sql, problem string
	}{
		{"a_changed_type_column", `UPDATE events SET type = 'kind.t1' WHERE position = 5`, "type column differs"},
		{"a_changed_payload", `UPDATE events SET record = CAST(substr(record, 1, length(record) - 2) || 'X}' AS BLOB) WHERE position = 4`, "hash does not match"},
		{"a_truncated_record", `UPDATE events SET record = substr(record, 1, 20) WHERE position = 6`, "stored record is damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"_is_still_found", func(t *testing.T) {
			path, _ := v7Store(t, tc.sql)
			s := open(t, sqlite.Config{Path: path})
			err := s.Verify(context.Background())
			var ie *eventstore.IntegrityError
			if !errors.As(err, &ie) || !strings.Contains(ie.Problem, tc.problem) {
				t.Fatalf("verify: %v, want a problem saying %q", err, tc.problem)
			}
		})
	}
}

// TestMigration8_a_release_database_migrates_and_verifies: the database of release bb49f1f
// reaches this schema, verifies, and reads every record it held byte for byte, stored compact.
func TestMigration8_a_release_database_migrates_and_verifies(t *testing.T) {
	// Copies: opening a database, even read-only, creates files beside it.
	dir := t.TempDir()
	src, path := filepath.Join(dir, "original.db"), filepath.Join(dir, "release.db")
	copyFile(t, filepath.Join("..", "..", "workflows", "engine", "testdata", "release-bb49f1f.db"), src)
	copyFile(t, src, path)
	old, err := sql.Open("sqlite", "file:"+src+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	rows, err := old.Query(`SELECT record, hash FROM events ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	var records, hashes []string
	for rows.Next() {
		var rec, hash []byte
		if err := rows.Scan(&rec, &hash); err != nil {
			t.Fatal(err)
		}
		records, hashes = append(records, string(rec)), append(hashes, string(hash))
	}
	rows.Close()
	s := open(t, sqlite.Config{Path: path})
	ctx := context.Background()
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) == 0 || len(got) != len(records) {
		t.Fatalf("read %d events, the release database held %d", len(got), len(records))
	}
	for i, e := range got {
		if string(eventstore.EncodeRecord(e)) != records[i] || string(e.Hash[:]) != hashes[i] {
			t.Fatalf("event %d differs from the release database's record", i+1)
		}
	}
	var raw int
	if err := s.ProjectionReadDB().QueryRow(`SELECT count(*) FROM event_log WHERE substr(body, 1, 3) = 'CFR'`).Scan(&raw); err != nil || raw != 0 {
		t.Fatalf("%d events kept raw (%v), want all compact", raw, err)
	}
}
