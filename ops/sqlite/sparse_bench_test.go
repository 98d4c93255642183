package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// sparseBenchOthers is how many non-matching events precede the matching ones in
// BenchmarkSparseRead: CIVICFLOW_TEST_SPARSE_EVENTS, default 1,000,000.
func sparseBenchOthers(b *testing.B) int {
	if v := os.Getenv("CIVICFLOW_TEST_SPARSE_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("CIVICFLOW_TEST_SPARSE_EVENTS=%q: want a positive number", v)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkSparseRead is a follower of a rare category: 10 token events, then a million process
// events, then a read of the token category after its last token event, as the token registry,
// the readiness check and the template refresh do at every poll. The read must cost what it
// returns, not what it skips: it reports the time of one such read (ms/read) and the time of a
// read of the 10 token events from the start.
func BenchmarkSparseRead(b *testing.B) {
	others := sparseBenchOthers(b)
	path := filepath.Join(b.TempDir(), "sparse.db")
	s := open(b, sqlite.Config{Path: path})
	ctx := context.Background()
	var last eventstore.Position
	for i := range 10 {
		res, err := s.Append(ctx, fmt.Sprintf("token-%d", i), eventstore.NoStream, benchEvent())
		if err != nil {
			b.Fatal(err)
		}
		last = res.Position
	}
	s.Close()
	db := rawInsertDB(b, path)
	insertRaw(b, db, rawRowsFrom(10, others), 10_000)
	db.Close()
	s = open(b, sqlite.Config{Path: path})
	tokens := eventstore.Filter{StreamPrefixes: []string{"token-"}}
	read := func(after eventstore.Position, want int) time.Duration {
		start := time.Now()
		page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000, Filter: tokens})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) != want {
			b.Fatalf("read %d token events, want %d", len(page), want)
		}
		return time.Since(start)
	}
	read(last, 0) // warm the page cache
	b.ResetTimer()
	var tail, head time.Duration
	for range b.N {
		tail += read(last, 0)
		head += read(eventstore.Start, 10)
	}
	b.ReportMetric(float64(tail.Microseconds())/1000/float64(b.N), "ms/tail-read")
	b.ReportMetric(float64(head.Microseconds())/1000/float64(b.N), "ms/head-read")
}
