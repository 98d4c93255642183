package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestNew_refuses_settings_that_lose_acknowledged_writes(t *testing.T) {
	cases := []struct {
		name    string
		cfg     sqlite.Config
		wantErr string
	}{
		{"normal_without_consent", sqlite.Config{Synchronous: "normal"}, "may lose acknowledged appends"},
		{"off_without_consent", sqlite.Config{Synchronous: "off"}, "may lose acknowledged appends"},
		{"unknown_mode", sqlite.Config{Synchronous: "fast"}, `"fast" is not one of`},
		{"normal_with_consent", sqlite.Config{Synchronous: "normal", AllowDataLoss: true}, ""},
		{"full", sqlite.Config{Synchronous: "full"}, ""},
		{"extra", sqlite.Config{Synchronous: "extra"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Path = filepath.Join(t.TempDir(), "db")
			s, err := sqlite.New(context.Background(), tc.cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want one saying %q", err, tc.wantErr)
			}
		})
	}
	t.Run("reports_every_problem", func(t *testing.T) {
		_, err := sqlite.New(context.Background(), sqlite.Config{Synchronous: "fast", MaxBatch: -1})
		for _, want := range []string{"Path: is empty", "Synchronous", "MaxBatch"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err %v does not name %s", err, want)
			}
		}
	})
}

func TestSubscription_is_woken_by_a_commit_not_by_polling(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), PollInterval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := make(chan error, 1)
	go func() {
		_, err := sub.Next(ctx)
		got <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Next find the log empty and wait
	if _, err := s.Append(ctx, "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting subscriber: %v (with a one-hour poll interval only a commit notification can wake it)", err)
	}
}

func TestNew_reopens_and_keeps_the_log(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, sqlite.Config{Path: path})
	if _, err := s.Append(context.Background(), "process-1", eventstore.NoStream, benchEvent(), benchEvent()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, sqlite.Config{Path: path})
	res, err := s.Append(context.Background(), "process-1", eventstore.Exact(2), benchEvent())
	if err != nil || res.Version != 3 || res.Position != eventstore.SequencePosition(3) {
		t.Fatalf("append after reopen: %+v, %v; want version 3 at position 3", res, err)
	}
	if err := s.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNew_refuses_a_newer_schema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	open(t, sqlite.Config{Path: path}).Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Fatalf("err %v, want a refusal of schema version 99", err)
	}
}

func TestReadOnly_store_refuses_appends_and_leaves_the_file_alone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	open(t, sqlite.Config{Path: path}).Close()
	s := open(t, sqlite.Config{Path: path, ReadOnly: true})
	if _, err := s.Append(context.Background(), "process-1", eventstore.Any, benchEvent()); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("append to a read-only store: %v", err)
	}
	if _, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "missing"), ReadOnly: true}); err == nil {
		t.Fatal("opened a missing file read-only")
	}
}

func TestWriter_notices_appends_by_another_process(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	a := open(t, sqlite.Config{Path: path})
	b := open(t, sqlite.Config{Path: path})
	ctx := context.Background()
	if _, err := a.Append(ctx, "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append(ctx, "process-1", eventstore.Exact(1), benchEvent()); err != nil {
		t.Fatal(err)
	}
	// a's cached head of process-1 is stale now; it must notice and refuse Exact(1).
	if _, err := a.Append(ctx, "process-1", eventstore.Exact(1), benchEvent()); err == nil {
		t.Fatal("a stale cache let a second writer overwrite version 2")
	}
	if res, err := a.Append(ctx, "process-1", eventstore.Exact(2), benchEvent()); err != nil || res.Position != eventstore.SequencePosition(3) {
		t.Fatalf("append at the true head: %+v, %v", res, err)
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
