package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// BenchmarkAppendBesideReadModel appends single events, one at a time, while a read model's
// connection (ProjectionDB) commits a transaction of 200 row writes every 10 ms, as the
// projection runner does: p50/p99 append latency shows how long an append waits for the lock.
func BenchmarkAppendBesideReadModel(b *testing.B) {
	s := open(b, sqlite.Config{Path: filepath.Join(b.TempDir(), "db")})
	ctx := context.Background()
	pdb := s.ProjectionDB()
	if _, err := pdb.ExecContext(ctx, `CREATE TABLE bench_rm (k INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for k := 0; ; {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			tx, err := pdb.BeginTx(ctx, nil)
			if err != nil {
				b.Error(err)
				return
			}
			for range 200 {
				k++
				if _, err := tx.ExecContext(ctx, `INSERT INTO bench_rm (k, v) VALUES (?, ?)`, k%5000, "eine Zeile des Lesemodells"); err != nil {
					if _, err = tx.ExecContext(ctx, `UPDATE bench_rm SET v = ? WHERE k = ?`, "geändert", k%5000); err != nil {
						b.Error(err)
					}
				}
			}
			if err := tx.Commit(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if _, err := s.Append(ctx, "process-1", eventstore.Any, benchEvent()); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
