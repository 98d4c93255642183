package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// The real binary backs up the running server's store while commands come in; restoring into
// the file the server has open is refused, and once the server stopped the restore holds every
// process opened before the backup.
func TestE2E_backup_while_the_server_runs_and_restore_refuses_its_open_file(t *testing.T) {
	t.Parallel()
	r := startServerEnv(t, []string{"CIVICFLOW_AUDIT_SEAL_INTERVAL=100ms"})
	r.token("leipzig", "lead-user", "lead")
	cli := r.cli
	var mu sync.Mutex
	var opened []string
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			rep := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": "Sicherung"})
			mu.Lock()
			opened = append(opened, rep.body["process"].(string))
			mu.Unlock()
		}
	})
	for n := 0; n < 10; {
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		n = len(opened)
		mu.Unlock()
	}
	time.Sleep(200 * time.Millisecond) // a seal or two
	mu.Lock()
	before := append([]string(nil), opened...)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "backup.db")
	out, code := cli("backup", "--db", r.db, "--out", backup)
	close(done)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "OK                       Siegel") {
		t.Fatalf("backup of the running server: exit %d, want 0 with the seals checked\n%s", code, out)
	}
	if out, code := cli("restore", "--from", backup, "--db", r.db, "--force"); code != exitFailure || !strings.Contains(out, "stop the server first") {
		t.Fatalf("restore into the running server's file: exit %d, want %d\n%s", code, exitFailure, out)
	}
	r.stop()
	if out, code := cli("restore", "--from", backup, "--db", r.db, "--force"); code != 0 {
		t.Fatalf("restore after the server stopped: exit %d\n%s", code, out)
	}
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: r.db, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range before {
		events, err := s.ReadStream(context.Background(), "process-"+id, eventstore.ReadStreamOptions{})
		if err != nil || len(events) == 0 {
			t.Fatalf("process %s, opened before the backup, is not in the restored store (%v)", id, err)
		}
	}
}
