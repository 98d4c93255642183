package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// serverLockChildEnv names the database a child process opens with the server lock; it holds
// it until its stdin closes.
const serverLockChildEnv = "CIVICFLOW_TEST_SERVERLOCK_CHILD"

// runServerLockChild is the child's side of TestServerLock_refuses_a_second_server_process.
func runServerLockChild() bool {
	path := os.Getenv(serverLockChildEnv)
	if path == "" {
		return false
	}
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path, ServerLock: true})
	if err != nil {
		os.Stdout.WriteString("refused: " + err.Error() + "\n")
		os.Exit(0)
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	os.Exit(0)
	return true
}

// startServerLockChild starts a child process that opens path with the server lock and returns
// its first line ("locked" or "refused: …") and a function that ends it.
func startServerLockChild(t *testing.T, path string) (string, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), serverLockChildEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	stop := func() {
		stdin.Close()
		cmd.Wait()
	}
	t.Cleanup(stop)
	return line, stop
}

func TestServerLock_refuses_a_second_server_process(t *testing.T) {
	path := filepath.Join(t.TempDir(), "civicflow.db")
	first := open(t, sqlite.Config{Path: path, ServerLock: true})
	if !first.HoldsServerLock() {
		t.Fatal("a store opened with ServerLock does not hold it")
	}
	if _, err := first.Append(context.Background(), "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	line, _ := startServerLockChild(t, path)
	if !strings.HasPrefix(line, "refused: ") || !strings.Contains(line, "another server") {
		t.Fatalf("a second server process got %q, want a refusal", line)
	}
	// The refusal changed nothing, and the first server's SQLite locks are intact: it and a CLI
	// store (without the lock) both write.
	cli := open(t, sqlite.Config{Path: path})
	if cli.HoldsServerLock() {
		t.Fatal("a store without ServerLock reports holding it")
	}
	if _, err := cli.Append(context.Background(), "token-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Append(context.Background(), "process-1", eventstore.Exact(1), benchEvent()); err != nil {
		t.Fatal(err)
	}
	if err := first.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Once the first server closed, another process takes the lock.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if line, stop := startServerLockChild(t, path); line != "locked\n" {
		t.Fatalf("after the first server closed a new one got %q", line)
	} else {
		stop()
	}
}

func TestServerLock_in_one_process(t *testing.T) {
	path := filepath.Join(t.TempDir(), "civicflow.db")
	line, stop := startServerLockChild(t, path)
	if line != "locked\n" {
		t.Fatalf("child: %q", line)
	}
	// Another process holds it: refused, and nothing of the files changed.
	before := fileStates(t, path)
	_, err := sqlite.New(context.Background(), sqlite.Config{Path: path, ServerLock: true})
	if !errors.Is(err, sqlite.ErrServed) {
		t.Fatalf("err %v, want ErrServed", err)
	}
	if after := fileStates(t, path); after != before {
		t.Fatalf("the refused store changed the files: %s, before %s", after, before)
	}
	stop()
	s := open(t, sqlite.Config{Path: path, ServerLock: true})
	// This process holds it: a second store in the same process is refused before it opens a
	// descriptor whose close would drop the first store's SQLite locks.
	if _, err := sqlite.New(context.Background(), sqlite.Config{Path: path, ServerLock: true}); !errors.Is(err, sqlite.ErrServed) {
		t.Fatalf("second store in this process: %v, want ErrServed", err)
	}
	if _, err := s.Append(context.Background(), "process-1", eventstore.NoStream, benchEvent()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	reopened := open(t, sqlite.Config{Path: path, ServerLock: true})
	if !reopened.HoldsServerLock() {
		t.Fatal("the lock was not given back at Close")
	}
}

func TestServerLock_is_not_for_a_read_only_store(t *testing.T) {
	path := filepath.Join(t.TempDir(), "civicflow.db")
	open(t, sqlite.Config{Path: path}).Close()
	if _, err := sqlite.New(context.Background(), sqlite.Config{Path: path, ServerLock: true, ReadOnly: true}); err == nil {
		t.Fatal("ServerLock with ReadOnly was accepted")
	}
}

// fileStates describes the database's files (size and modification time of each).
func fileStates(t *testing.T, path string) string {
	t.Helper()
	var out strings.Builder
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(&out, "%s: %v; ", filepath.Base(p), err)
			continue
		}
		fmt.Fprintf(&out, "%s: %d bytes at %s; ", filepath.Base(p), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
	}
	return out.String()
}
