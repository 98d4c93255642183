package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestArchive_refuses_to_change_or_delete_an_archived_snapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "civicflow.db")
	store := open(t, sqlite.Config{Path: path})
	kept := eventstore.Snapshot{Version: 250, Schema: 2, RecordedAt: eventstoretest.FixedTime, Data: []byte("state")}
	if err := store.Archive().Keep(context.Background(), "process-x", kept); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ name, stmt string }{
		{"refuses_to_change_its_data", `UPDATE snapshot_archive SET data = x'00'`},
		{"refuses_to_change_its_version", `UPDATE snapshot_archive SET version = 251`},
		{"refuses_to_delete_it", `DELETE FROM snapshot_archive`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := db.Exec(c.stmt); err == nil || !strings.Contains(err.Error(), "archived snapshots are immutable") {
				t.Fatalf("%s: got %v, want the trigger's refusal", c.stmt, err)
			}
		})
	}
	got, ok, err := store.Archive().Nearest(context.Background(), "process-x", 2, eventstore.Target{})
	if err != nil || !ok || string(got.Data) != "state" || got.Version != 250 {
		t.Fatalf("after the refused changes: %+v %v %v", got, ok, err)
	}
}
