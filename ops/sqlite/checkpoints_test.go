package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

func TestCheckpoints_load_start_when_nothing_is_saved(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	pos, err := s.Checkpoints().Load(context.Background(), "projection/process-list")
	if err != nil || pos != eventstore.Start {
		t.Fatalf("Load = %v, %v; want Start", pos, err)
	}
}

func TestCheckpoints_round_trip_and_survive_a_reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ctx := context.Background()
	s := open(t, sqlite.Config{Path: path})
	cp := s.Checkpoints()
	want := map[string]eventstore.Position{
		"group/topic":      eventstore.SequencePosition(42),
		"two-part":         eventstore.NewPosition(7, 3),
		"projection/α-und": eventstore.SequencePosition(1),
	}
	for name, pos := range want {
		if err := cp.Save(ctx, name, pos); err != nil {
			t.Fatalf("Save(%q): %v", name, err)
		}
	}
	s.Close()
	s = open(t, sqlite.Config{Path: path})
	for name, pos := range want {
		got, err := s.Checkpoints().Load(ctx, name)
		if err != nil || got != pos {
			t.Errorf("after reopen Load(%q) = %v, %v; want %v", name, got, err, pos)
		}
	}
}

func TestCheckpoints_refuse_to_move_backwards(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	cp := s.Checkpoints()
	steps := []struct {
		name    string
		pos     uint64
		refused bool
	}{
		{"first", 10, false},
		{"same_again", 10, false},
		{"forwards", 11, false},
		{"backwards", 5, true},
		{"to_the_start", 0, true},
		{"forwards_after_a_refusal", 12, false},
	}
	saved := eventstore.Start
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := cp.Save(ctx, "g/t", eventstore.SequencePosition(st.pos))
			if !st.refused {
				if err != nil {
					t.Fatal(err)
				}
				saved = eventstore.SequencePosition(st.pos)
			} else {
				var ce *sqlite.CheckpointError
				if !errors.Is(err, sqlite.ErrCheckpointBackwards) || !errors.As(err, &ce) || ce.Saved != saved || ce.Name != "g/t" {
					t.Fatalf("err %v (%#v); want a *CheckpointError from %v", err, ce, saved)
				}
			}
			if got, err := cp.Load(ctx, "g/t"); err != nil || got != saved {
				t.Fatalf("Load = %v, %v; want %v", got, err, saved)
			}
		})
	}
}

func TestCheckpoints_validate_the_name(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	cases := []struct {
		name, checkpoint string
		ok               bool
	}{
		{"empty", "", false},
		{"too_long", strings.Repeat("x", sqlite.MaxCheckpointNameLength+1), false},
		{"not_utf8", "group/\xff", false},
		{"longest", strings.Repeat("x", sqlite.MaxCheckpointNameLength), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			saveErr := s.Checkpoints().Save(ctx, tc.checkpoint, eventstore.SequencePosition(1))
			_, loadErr := s.Checkpoints().Load(ctx, tc.checkpoint)
			for op, err := range map[string]error{"Save": saveErr, "Load": loadErr} {
				if tc.ok && err != nil {
					t.Errorf("%s: %v", op, err)
				}
				if !tc.ok && !errors.Is(err, eventstore.ErrInvalidInput) {
					t.Errorf("%s: err %v, want an *InputError", op, err)
				}
			}
		})
	}
}

func TestCheckpoints_read_only_store_loads_but_refuses_to_save(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ctx := context.Background()
	w := open(t, sqlite.Config{Path: path})
	if err := w.Checkpoints().Save(ctx, "g/t", eventstore.SequencePosition(3)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s := open(t, sqlite.Config{Path: path, ReadOnly: true})
	if got, err := s.Checkpoints().Load(ctx, "g/t"); err != nil || got != eventstore.SequencePosition(3) {
		t.Fatalf("Load = %v, %v", got, err)
	}
	if err := s.Checkpoints().Save(ctx, "g/t", eventstore.SequencePosition(4)); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Save on a read-only store: %v", err)
	}
}

func TestCheckpoints_fail_with_ErrClosed_after_the_store_closes(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx := context.Background()
	cp := s.Checkpoints()
	if err := cp.Save(ctx, "g/t", eventstore.SequencePosition(1)); err != nil { // opens the connection
		t.Fatal(err)
	}
	s.Close()
	if err := cp.Save(ctx, "g/t", eventstore.SequencePosition(2)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("Save after Close: %v", err)
	}
	if _, err := cp.Load(ctx, "g/t"); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
}

func TestCheckpoints_bypass_the_event_writer_and_keep_it_correct(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, sqlite.Config{Path: path, Clock: func() time.Time { return clock }})
	ctx := context.Background()
	if _, err := s.Append(ctx, "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	if err := s.Checkpoints().Save(ctx, "g/t", eventstore.SequencePosition(1)); err != nil {
		t.Fatal(err)
	}
	if after := s.Stats(); after != before {
		t.Errorf("a Save went through the event writer: stats %+v → %+v", before, after)
	}
	// The writer notices the other connection's commit and still appends at the true head.
	if res, err := s.Append(ctx, "process-1", eventstore.Exact(1), benchEvent()); err != nil || res.Position != eventstore.SequencePosition(2) {
		t.Fatalf("append after a Save: %+v, %v", res, err)
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var updated string
	if err := db.QueryRow(`SELECT updated_at FROM checkpoints WHERE name = 'g/t'`).Scan(&updated); err != nil {
		t.Fatal(err)
	}
	if want := clock.Format(time.RFC3339Nano); updated != want {
		t.Errorf("updated_at %q, want the store clock's %q", updated, want)
	}
}

func TestCheckpoints_concurrent_saves_alongside_appends_keep_the_furthest(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var appends sync.WaitGroup
	appends.Add(1)
	go func() { // keep the event writer busy meanwhile
		defer appends.Done()
		for i := 0; ctx.Err() == nil; i++ {
			if _, err := s.Append(ctx, fmt.Sprintf("process-%d", i), eventstore.NoStream, benchEvent()); err != nil && ctx.Err() == nil {
				t.Error(err)
				return
			}
		}
	}()
	cp := s.Checkpoints()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= 25; i++ {
				err := cp.Save(ctx, "g/t", eventstore.SequencePosition(uint64(i*4+g)))
				if err != nil && !errors.Is(err, sqlite.ErrCheckpointBackwards) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	cancel()
	appends.Wait()
	got, err := cp.Load(context.Background(), "g/t")
	if err != nil || got != eventstore.SequencePosition(103) {
		t.Fatalf("Load = %v, %v; want the furthest position 103", got, err)
	}
}

// checkpointChildEnv names the database a child process saves checkpoints to until it is killed.
const checkpointChildEnv = "CIVICFLOW_TEST_CHECKPOINT_CHILD"

// The child saves checkpoints 1, 2, 3, … and prints each one after Save returns; it never returns.
func init() {
	path := os.Getenv(checkpointChildEnv)
	if path == "" {
		return
	}
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	cp := s.Checkpoints()
	for i := uint64(1); ; i++ {
		if err := cp.Save(context.Background(), "g/t", eventstore.SequencePosition(i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Printf("saved %d\n", i)
	}
}

func TestCheckpoints_keep_every_returned_save_after_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), checkpointChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var last uint64
	lines := bufio.NewScanner(out)
	for last < 200 && lines.Scan() {
		n, err := strconv.ParseUint(strings.TrimPrefix(lines.Text(), "saved "), 10, 64)
		if err != nil {
			t.Fatalf("child said %q", lines.Text())
		}
		last = n
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for lines.Scan() { // saves reported before the kill landed
		if n, err := strconv.ParseUint(strings.TrimPrefix(lines.Text(), "saved "), 10, 64); err == nil {
			last = n
		}
	}
	cmd.Wait()
	if last < 200 {
		t.Fatalf("child stopped after %d saves", last)
	}
	s := open(t, sqlite.Config{Path: path})
	got, err := s.Checkpoints().Load(context.Background(), "g/t")
	if err != nil || got.Compare(eventstore.SequencePosition(last)) < 0 {
		t.Fatalf("after SIGKILL Load = %v, %v; the child had reported position %d saved", got, err, last)
	}
}
