package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/ops/storetest"
)

// provides checks that what st offers, part by part, is what Provides says of its backend.
func provides(t *testing.T, st *storage.Storage) {
	t.Helper()
	want := storage.Provides(st.Backend)
	for _, p := range storage.Parts {
		err := st.Require(p)
		if has := err == nil; has != slices.Contains(want, p) {
			t.Errorf("%s: Require(%s) = %v, but Provides lists %v", st.Backend, p, err, want)
		}
	}
}

func TestOpen_sqlite_provides_every_part(t *testing.T) {
	c := config.Default().Store
	c.SQLite.Path = filepath.Join(t.TempDir(), "civicflow.db")
	st, err := storage.Open(context.Background(), storage.Config{Store: c})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Require(storage.Parts...); err != nil {
		t.Fatalf("Require(all) = %v", err)
	}
	provides(t, st)
	if st.SQLite == nil || st.ReadModels.Write == nil || st.ReadModels.Read == nil || st.VerifyLog == nil {
		t.Fatalf("SQLite storage without its file, read-model pools or log check: %+v", st)
	}
}

func TestOpen_postgres_provides_what_Provides_says(t *testing.T) {
	url, schema := postgrestest.Schema(t)
	c := config.Default().Store
	c.Backend, c.Postgres.URL, c.Postgres.Schema = storage.Postgres, url, schema
	st, err := storage.Open(context.Background(), storage.Config{Store: c})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	provides(t, st)
	if st.SQLite != nil {
		t.Error("a PostgreSQL storage offers a SQLite file")
	}
	t.Run("refuses_read_only", func(t *testing.T) {
		_, err := storage.Open(context.Background(), storage.Config{Store: c, ReadOnly: true})
		if err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("Open(ReadOnly) = %v, want a refusal", err)
		}
	})
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		backend string
		needed  []storage.Part
		missing []storage.Part // nil: no error
		says    string         // part of the message: the reason
	}{
		{name: "sqlite_serves", backend: storage.SQLite, needed: storage.Serve},
		{name: "sqlite_backs_up", backend: storage.SQLite, needed: []storage.Part{storage.Backup}},
		{name: "postgres_event_store_alone", backend: storage.Postgres, needed: []storage.Part{storage.EventStore}},
		{name: "postgres_serves", backend: storage.Postgres, needed: storage.Serve},
		{name: "eventstoredb_serves", backend: storage.EventStoreDB, needed: storage.Serve},
		{name: "eventstoredb_cannot_be_sealed", backend: storage.EventStoreDB, needed: []storage.Part{storage.EventStore, storage.Seals, storage.Sealing},
			missing: []storage.Part{storage.Sealing}, says: "$all positions are byte offsets"},
		{name: "eventstoredb_names_every_missing_part", backend: storage.EventStoreDB, needed: storage.Parts,
			missing: []storage.Part{storage.Sealing, storage.Backup}, says: "EventStoreDB's own backup"},
		{name: "postgres_is_sealed", backend: storage.Postgres, needed: []storage.Part{storage.Seals, storage.Sealing}},
		{name: "postgres_file_backup", backend: storage.Postgres, needed: []storage.Part{storage.Backup},
			missing: []storage.Part{storage.Backup}, says: "pg_dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storage.Check(tt.backend, tt.needed...)
			if tt.missing == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var me *storage.MissingError
			if !errors.As(err, &me) || !errors.Is(err, storage.ErrNotProvided) {
				t.Fatalf("Check = %v, want a *MissingError", err)
			}
			if me.Backend != tt.backend || !slices.Equal(me.Parts, tt.missing) {
				t.Errorf("missing = %s %v, want %s %v", me.Backend, me.Parts, tt.backend, tt.missing)
			}
			for _, p := range tt.missing {
				if !strings.Contains(err.Error(), string(p)) {
					t.Errorf("message does not name %q: %v", p, err)
				}
			}
			if !strings.Contains(err.Error(), `store.backend "`+tt.backend+`"`) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("message does not name the backend or say %q: %v", tt.says, err)
			}
		})
	}
}

func TestOpen_refuses_unknown_backend(t *testing.T) {
	_, err := storage.Open(context.Background(), storage.Config{Store: config.Store{Backend: "mysql"}})
	if err == nil || !strings.Contains(err.Error(), `store.backend: "mysql" is not one of`) {
		t.Fatalf("Open = %v", err)
	}
}

// MemoryTiles passes the tile part of the seal conformance suite (beside a SQLite store's heads).
func TestMemoryTiles(t *testing.T) {
	storetest.RunSeals(t, func(t *testing.T) storetest.SealParts {
		c := config.Default().Store
		c.SQLite.Path = filepath.Join(t.TempDir(), "civicflow.db")
		st, err := storage.Open(context.Background(), storage.Config{Store: c})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return storetest.SealParts{Seals: st.Seals, Tiles: storage.NewMemoryTiles()}
	})
}
