package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// BenchmarkGroupCommitVsCeiling alternates, in one run, rounds of 64 concurrent appenders and
// rounds of raw inserts of the same rows, 100 and 64 per transaction, so that all see the same
// disk (its speed drifts a lot on this machine). The 100-row transactions run both with one
// INSERT per row, as the writer inserts, and with one multi-row INSERT per transaction, so that
// the ceiling is the faster of both (with this driver the multi-row statement was the slower in
// 11 of 12 runs, 2026-12-06). It reports the rates, the appenders' rate in percent of the faster
// 100-row ceiling (target: at least 80) and of 64-row transactions (the most that 64 appenders
// with one append each in flight can put in one transaction), and the appends per transaction
// the writer achieved.
func BenchmarkGroupCommitVsCeiling(b *testing.B) {
	const round = 6400
	dir := b.TempDir()
	s := open(b, sqlite.Config{Path: filepath.Join(dir, "store.db")})
	rawPath, raw64Path, multiPath := filepath.Join(dir, "raw.db"), filepath.Join(dir, "raw64.db"), filepath.Join(dir, "multirow.db")
	open(b, sqlite.Config{Path: rawPath}).Close()
	open(b, sqlite.Config{Path: raw64Path}).Close()
	open(b, sqlite.Config{Path: multiPath}).Close()
	db, db64, dbMulti := rawInsertDB(b, rawPath), rawInsertDB(b, raw64Path), rawInsertDB(b, multiPath)
	ctx := context.Background()
	var storeTime, rawTime, raw64Time, multiTime time.Duration
	versions := make([]int64, 64)
	var rawPos int64
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		var wg sync.WaitGroup
		for a := range 64 {
			wg.Go(func() {
				for range round / 64 {
					if _, err := s.Append(ctx, fmt.Sprintf("process-%d", a), eventstore.Exact(versions[a]), benchEvent()); err != nil {
						b.Error(err)
						return
					}
					versions[a]++
				}
			})
		}
		wg.Wait()
		storeTime += time.Since(start)

		rows := rawRowsFrom(rawPos, round)
		start = time.Now()
		insertRaw(b, db, rows, 100)
		rawTime += time.Since(start)
		rows = rawRowsFrom(rawPos, round)
		start = time.Now()
		insertRaw(b, db64, rows, 64)
		raw64Time += time.Since(start)
		rows = rawRowsFrom(rawPos, round)
		start = time.Now()
		insertRawMulti(b, dbMulti, rows, 100)
		multiTime += time.Since(start)
		rawPos += round
	}
	b.StopTimer()
	storeRate := float64(b.N*round) / storeTime.Seconds()
	rawRate := float64(b.N*round) / rawTime.Seconds()
	raw64Rate := float64(b.N*round) / raw64Time.Seconds()
	multiRate := float64(b.N*round) / multiTime.Seconds()
	b.ReportMetric(storeRate, "append64-events/s")
	b.ReportMetric(rawRate, "raw100-events/s")
	b.ReportMetric(multiRate, "raw100-multirow-events/s")
	b.ReportMetric(raw64Rate, "raw64-events/s")
	b.ReportMetric(100*storeRate/max(rawRate, multiRate), "%-of-raw100")
	b.ReportMetric(100*storeRate/raw64Rate, "%-of-raw64")
	st := s.Stats()
	b.ReportMetric(float64(st.Appends)/float64(max(st.Transactions, 1)), "appends/tx")
	b.ReportMetric(100*float64(st.Reencoded)/float64(max(st.Events, 1)), "%-reencoded")
}
