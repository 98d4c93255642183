package sqlite_test

import (
	"bufio"
	"context"
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
	"github.com/google/uuid"
)

// crashChildEnv names the database a child process writes to until it is killed.
const crashChildEnv = "CIVICFLOW_TEST_CRASH_CHILD"

// runChild runs the crash test's writer when this binary was started as the child. It appends
// from 16 goroutines and prints every acknowledged append; it never returns normally.
func runChild() bool {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		return false
	}
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var mu sync.Mutex
	for w := range 16 {
		go func() {
			stream := fmt.Sprintf("process-%d-%s", w, uuid.NewString())
			for version := int64(0); ; version++ {
				e := benchEvent()
				n := 1 + int(version%3)
				evs := []eventstore.EventData{e}
				for range n - 1 {
					evs = append(evs, benchEvent())
				}
				res, err := s.Append(context.Background(), stream, eventstore.Exact(version), evs...)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(4)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s %s %d\n", stream, e.ID, res.Version-int64(n)+1)
				mu.Unlock()
				version = res.Version - 1
			}
		}()
	}
	select {}
}

func TestCrash_keeps_every_acknowledged_append_after_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test starts a child process; skipped with -short")
	}
	for round := range 3 {
		t.Run(fmt.Sprintf("round_%d", round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crash.db")
			acks := killWriterUnderLoad(t, path, 500+round*700)
			s := open(t, sqlite.Config{Path: path})
			ctx := context.Background()
			for _, a := range acks {
				got, err := s.ReadStream(ctx, a.stream, eventstore.ReadStreamOptions{From: a.version, Limit: 1})
				if err != nil || len(got) != 1 || got[0].ID != a.id {
					t.Fatalf("acknowledged event %s at %s v%d is missing after the crash (read %d events, %v)", a.id, a.stream, a.version, len(got), err)
				}
			}
			if err := s.Verify(ctx); err != nil {
				t.Fatalf("after the crash: %v", err)
			}
			all, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 1 << 30})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range all {
				if e.Position != eventstore.SequencePosition(uint64(i+1)) {
					t.Fatalf("global log has a gap at %d: event at %s", i+1, e.Position)
				}
			}
			t.Logf("%d acknowledged appends survived; the log holds %d events", len(acks), len(all))
		})
	}
}

type ack struct {
	stream  string
	id      uuid.UUID
	version int64
}

// killWriterUnderLoad starts the writer child, kills it with SIGKILL after it acknowledged at
// least minAcks appends, and returns the acknowledgements it printed in full.
func killWriterUnderLoad(t *testing.T, path string, minAcks int) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acks []ack
	lines := bufio.NewScanner(out)
	deadline := time.After(60 * time.Second)
	killed := false
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 4 || f[0] != "ack" {
			continue
		}
		v, _ := strconv.ParseInt(f[3], 10, 64)
		acks = append(acks, ack{stream: f[1], id: uuid.MustParse(f[2]), version: v})
		if killed {
			continue
		}
		select {
		case <-deadline:
			t.Fatalf("child acknowledged only %d appends in 60s", len(acks))
		default:
		}
		if len(acks) >= minAcks {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true // keep reading: lines written before the kill still count
		}
	}
	if err := cmd.Wait(); err == nil || !killed {
		t.Fatalf("child ended on its own (%v) after %d acks", err, len(acks))
	}
	return acks
}
