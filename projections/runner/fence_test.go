package runner_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// Two runners following the same read models in one database (two instances whose lease
// overlapped: ops/lease) apply every event once: a batch compares the checkpoint in its own
// transaction, so the second writer of a batch fails, is rolled back and reloads the checkpoint.
// The read models then equal a replay of the log.
func TestTwoRunnersOnOneDatabaseApplyEveryEventOnce(t *testing.T) {
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		var logs syncBuf
		quiet := slog.New(slog.NewTextHandler(&logs, nil))
		ctx, cancel := context.WithCancel(context.Background())
		var runners []*runner.Runner
		done := make(chan error, 2)
		for range 2 {
			r, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: all(), BatchSize: 3, Linger: -1,
				Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			runners = append(runners, r)
			go func() { done <- r.Run(ctx) }()
			// The first creates the builds before the second starts (serve's lease lets only one
			// instance create them; the fence under test is the batches').
			for _, p := range all() {
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
					if _, _, err := runner.Active(ctx, b.ReadDB, p.Name()); err == nil {
						break
					} else if time.Now().After(deadline) {
						t.Fatalf("%s not built: %v", p.Name(), err)
					}
				}
			}
		}
		projectiontest.Append(t, b.Log, b.Clock, history) // live, while both follow
		head, err := b.Log.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
		defer wcancel()
		for _, r := range runners {
			for _, p := range all() {
				if err := projectiontest.WaitFiltered(wctx, r, b.Log, p, head); err != nil {
					t.Fatalf("%s: %v", p.Name(), err)
				}
			}
		}
		t.Logf("batches refused by the fence: %d", strings.Count(logs.String(), "retrying"))
		cancel()
		for range runners {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		scratch, discard, err := b.Scratch()
		if err != nil {
			t.Fatal(err)
		}
		defer discard()
		for _, p := range all() {
			res, err := runner.Check(context.Background(), runner.CheckConfig{Store: b.Log, Live: b.ReadDB, Scratch: scratch, Dialect: b.Dialect}, p)
			if err != nil {
				t.Fatalf("%s after two runners: %v", p.Name(), err)
			}
			if res.Position != head && res.Events == 0 {
				t.Fatalf("%s compared nothing: %+v", p.Name(), res)
			}
		}
	})
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
