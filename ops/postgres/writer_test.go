package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
)

// transactions counts the transactions that wrote the store's events (rows written by one
// transaction share its xmin).
func transactions(t *testing.T, s *postgres.Store) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(DISTINCT xmin::text) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A lone appender's next append is the only one expected after each commit: the writer must not
// hold it waiting for another (with a CohortWait of 2 s, five appends would take 10 s).
func TestAppend_a_lone_appender_is_not_held_for_a_cohort(t *testing.T) {
	s := open(t, postgres.Config{CohortWait: 2 * time.Second})
	start := time.Now()
	for v := range 5 {
		if _, err := s.Append(context.Background(), "process-1", eventstore.Exact(int64(v)), benchEvent()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("five appends by one appender took %s: the writer waited for appends that could not come", took)
	}
}

// Eight appenders that each append again as soon as they are answered: the writer waits for the
// appenders it expects, so after the first few transactions every one holds an append of each.
// (Without the wait, CohortWait -1, they commit in cohorts by turns: 80 transactions here.)
func TestAppend_concurrent_appenders_commit_together(t *testing.T) {
	const appenders, rounds = 8, 40
	s := open(t, postgres.Config{CohortWait: 500 * time.Millisecond})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for a := range appenders {
		wg.Go(func() {
			<-start
			for v := range rounds {
				if _, err := s.Append(context.Background(), fmt.Sprintf("process-%d", a), eventstore.Exact(int64(v)), benchEvent()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if n := transactions(t, s); n > rounds+rounds/4 {
		t.Fatalf("%d transactions for %d rounds of %d appenders: the appenders did not commit together", n, rounds, appenders)
	}
}
