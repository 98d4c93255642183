package sqlite_test

import (
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestFind_seeks_the_ID_indexes_and_never_walks_a_stream: Find's cost does not grow with the
// stream (issue 16).
func TestFind_seeks_the_ID_indexes_and_never_walks_a_stream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.db")
	open(t, sqlite.Config{Path: path}).Close()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, n := range []int{1, 8} {
		args := make([]any, 0, 2*n+2)
		for range 2 {
			for range n {
				args = append(args, uuid.New().String())
			}
			args = append(args, "process-x")
		}
		rows, err := db.Query("EXPLAIN QUERY PLAN "+sqlite.FindQuery(n), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		for _, want := range []string{"event_log USING INDEX event_log_event_id (event_id=?)", "legacy_event_ids USING PRIMARY KEY (id=?)"} {
			if !strings.Contains(text, want) {
				t.Errorf("%d IDs: plan lacks %q:\n%s", n, want, text)
			}
		}
		if strings.Contains(text, "SCAN") || strings.Contains(text, "events_stream_version") {
			t.Errorf("%d IDs: plan walks a table or a stream:\n%s", n, text)
		}
	}
}

// TestFind_knows_the_commands_of_a_database_from_an_old_release: migration 7 gives the events
// recorded before event IDs were derived from their commands the IDs Find asks for.
func TestFind_knows_the_commands_of_a_database_from_an_old_release(t *testing.T) {
	path := filepath.Join(t.TempDir(), "civicflow.db")
	copyFile(t, filepath.Join("..", "..", "workflows", "engine", "testdata", "release-bb49f1f.db"), path)
	s := open(t, sqlite.Config{Path: path})
	ctx := t.Context()
	opened, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Filter: eventstore.Filter{EventTypes: []string{"process.opened"}}})
	if err != nil {
		t.Fatal(err)
	}
	stream := ""
	for _, ev := range opened {
		if ev.Metadata.CommandID == "open-1" {
			stream = ev.Stream
		}
	}
	if stream == "" {
		t.Fatal("the release database has no process opened by open-1")
	}
	// The release recorded open-1, reg-1, reg-2, contrib-1 and task-1 in this order, one event each.
	cases := []struct {
		command string
		version int64
		found   bool
	}{
		{"open-1", 1, true},
		{"reg-1", 2, true},
		{"contrib-1", 4, true},
		{"task-1", 5, true},
		{"open-2", 0, false}, // another process's command
		{"never", 0, false},
	}
	for _, c := range cases {
		t.Run(c.command, func(t *testing.T) {
			id := eventstore.CommandEventID(stream, c.command, 0)
			got, err := s.Find(ctx, stream, id, eventstore.CommandEventID(stream, c.command, 1))
			if err != nil {
				t.Fatal(err)
			}
			v, ok := got[id]
			if ok != c.found || v != c.version || len(got) > 1 {
				t.Errorf("find %s: %v, want version %d (found %v) and nothing else", c.command, got, c.version, c.found)
			}
		})
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
