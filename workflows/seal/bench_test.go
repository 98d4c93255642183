package seal_test

import (
	"context"
	"database/sql"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/civicflow/civicflow/workflows/seal"
)

// sealEvents is how many events BenchmarkSeal's log holds: CIVICFLOW_TEST_SEAL_EVENTS, else
// 1,000 with -short, else 1,000,000.
func sealEvents(b *testing.B) int {
	if v := os.Getenv("CIVICFLOW_TEST_SEAL_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("CIVICFLOW_TEST_SEAL_EVENTS=%q: want a positive number", v)
		}
		return n
	}
	if testing.Short() {
		return 1000
	}
	return 1_000_000
}

// BenchmarkSeal measures seals of a log of sealEvents events (100 streams):
//   - full: a restarted server's first seal, which reads every record, recomputes every chain
//     hash and the tree, compares the tiles and signs (also reported per event, with the peak
//     heap during the pass: it streams, so the heap must not grow with the log);
//   - incremental_1000: a seal after 1,000 new events, which extends the tree from the tiles;
//   - none: a seal with no new events.
//
// It reports the bytes of table merkle_tiles per event of the log.
func BenchmarkSeal(b *testing.B) {
	f := setup(b)
	n := sealEvents(b)
	ctx := context.Background()
	f.appendMany(b, n)
	if _, _, err := f.sealer.Seal(ctx); err != nil { // writes the tiles
		b.Fatal(err)
	}
	b.Run("full", func(b *testing.B) {
		peak, cpu := heapPeak(b), cpuNow()
		for range b.N {
			f.sealer = f.newSealer(b)
			if _, _, err := f.sealer.Seal(ctx); err != nil || f.sealer.LastPass() != seal.PassFull {
				b.Fatal(err, f.sealer.LastPass())
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
		b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		cpu.report(b)
	})
	b.Run("incremental_1000", func(b *testing.B) {
		cpu := cpuNow()
		for range b.N {
			b.StopTimer()
			f.appendMany(b, 1000)
			b.StartTimer()
			if _, _, err := f.sealer.Seal(ctx); err != nil || f.sealer.LastPass() != seal.PassIncremental {
				b.Fatal(err, f.sealer.LastPass())
			}
		}
		cpu.report(b) // includes the appends
	})
	b.Run("none", func(b *testing.B) {
		cpu := cpuNow()
		for range b.N {
			if _, _, err := f.sealer.Seal(ctx); err != nil || f.sealer.LastPass() != seal.PassIncremental {
				b.Fatal(err, f.sealer.LastPass())
			}
		}
		cpu.report(b)
		b.ReportMetric(tileBytes(b, f.path)/float64(n), "tile-B/event")
	})
}

// cpuClock is the process's CPU time (user and system) when it was taken.
type cpuClock time.Duration

func cpuNow() cpuClock {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuClock(time.Duration(ru.Utime.Nano() + ru.Stime.Nano()))
}

// report reports the CPU time per operation since c was taken: on a machine shared with other
// work the wall time says more about the others than about the seal.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(time.Duration(cpuNow()-c).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// tileBytes is the size of table merkle_tiles and its key's index on disk (dbstat).
func tileBytes(b *testing.B, path string) float64 {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var size int64
	if err := db.QueryRow(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ('merkle_tiles', 'sqlite_autoindex_merkle_tiles_1')`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	return float64(size)
}

// heapPeak samples the live heap every 5 ms until the benchmark ends; the function it returns
// gives the largest sample.
func heapPeak(b *testing.B) func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	var once sync.Once
	end := func() { once.Do(func() { close(stop); wg.Wait() }) }
	b.Cleanup(end)
	return func() uint64 { end(); return peak.Load() }
}
