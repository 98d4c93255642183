package main

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fsyncProbe measures the disk beside a paced phase: every 5 ms it writes a page to a file in the
// store's directory and syncs it, as the store's commit does with its WAL. Its percentiles show
// how much of a phase's tail the disk alone explains.
type fsyncProbe struct {
	stop chan struct{}
	wg   sync.WaitGroup
	lat  []time.Duration
	err  error
}

// startFsyncProbe starts probing in dir; stop ends it.
func startFsyncProbe(dir string) *fsyncProbe {
	p := &fsyncProbe{stop: make(chan struct{})}
	p.wg.Go(func() {
		f, err := os.CreateTemp(dir, "fsync-probe-*")
		if err != nil {
			p.err = err
			return
		}
		defer os.Remove(f.Name())
		defer f.Close()
		page := make([]byte, 4096)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for i := int64(0); ; i++ {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			t0 := time.Now()
			if _, err := f.WriteAt(page, (i%256)*4096); err != nil {
				p.err = err
				return
			}
			if err := f.Sync(); err != nil {
				p.err = err
				return
			}
			p.lat = append(p.lat, time.Since(t0))
		}
	})
	return p
}

// end stops the probe and returns its p50, p99, p99.9 and maximum in milliseconds.
func (p *fsyncProbe) end(b *testing.B) [4]float64 {
	close(p.stop)
	p.wg.Wait()
	if p.err != nil || len(p.lat) == 0 {
		b.Fatalf("fsync probe: %v (%d syncs)", p.err, len(p.lat))
	}
	q := percentiles(p.lat)
	return [4]float64{q[0], q[1], q[2], float64(slices.Max(p.lat)) / float64(time.Millisecond)}
}

// lockHist is the write-lock histogram (civicflow_store_write_lock_seconds) of one holder, as
// cumulative counts per upper bound in seconds.
type lockHist map[float64]float64

// checkpointHolder names the background WAL checkpoints (civicflow_store_wal_checkpoint_seconds)
// among the write lock's holders in the report; they hold no lock, but share the disk with the
// commits' syncs.
const checkpointHolder = "wal_checkpoint (no lock)"

// scrapeWriteLock reads the server's write-lock histogram per holder from /metrics, and the
// background WAL checkpoints' histogram as checkpointHolder.
func scrapeWriteLock(b *testing.B, r *running) map[string]lockHist {
	resp, err := http.Get(r.url + "/metrics")
	if err != nil {
		b.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]lockHist{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var holder string
		line, ok := strings.CutPrefix(sc.Text(), "civicflow_store_write_lock_seconds_bucket{")
		if !ok {
			if line, ok = strings.CutPrefix(sc.Text(), "civicflow_store_wal_checkpoint_seconds_bucket{"); !ok {
				continue
			}
			holder = checkpointHolder
		}
		labels, value, _ := strings.Cut(line, "} ")
		le := math.Inf(1)
		for _, kv := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "holder":
				holder = v
			case "le":
				if v != "+Inf" {
					le, _ = strconv.ParseFloat(v, 64)
				}
			}
		}
		n, _ := strconv.ParseFloat(value, 64)
		if out[holder] == nil {
			out[holder] = lockHist{}
		}
		out[holder][le] = n
	}
	return out
}

// writeLockReport describes, per holder, the transactions between two scrapes: how many, the
// bucket their p99 and their longest fall in, and how many held the lock longer than 2 ms (a
// stall of every client at once shows here when one holder kept the lock that long).
func writeLockReport(before, after map[string]lockHist) string {
	var parts []string
	holders := make([]string, 0, len(after))
	for h := range after {
		holders = append(holders, h)
	}
	sort.Strings(holders)
	for _, h := range holders {
		bounds := make([]float64, 0, len(after[h]))
		for le := range after[h] {
			bounds = append(bounds, le)
		}
		slices.Sort(bounds)
		delta := func(le float64) float64 { return after[h][le] - before[h][le] }
		total := delta(math.Inf(1))
		if total == 0 {
			continue
		}
		bucket := func(share float64) float64 {
			for _, le := range bounds {
				if delta(le) >= share*total {
					return le
				}
			}
			return math.Inf(1)
		}
		what := "transactions"
		if h == checkpointHolder {
			what = "runs"
		}
		parts = append(parts, fmt.Sprintf("%s: %.0f %s, p99 ≤ %s, max ≤ %s, %.0f over 2 ms", h, total, what, fmtBound(bucket(0.99)), fmtBound(bucket(1)), total-delta(0.002)))
	}
	return strings.Join(parts, "; ")
}

func fmtBound(s float64) string {
	if math.IsInf(s, 1) {
		return "+Inf"
	}
	return fmt.Sprintf("%g ms", s*1000)
}

// probedPhase runs the paced phase with the fsync probe beside it and reports the probe's
// percentiles and the write-lock histogram's change under name ("fresh" or "history").
func probedPhase(b *testing.B, name string, r *running, ids []string, n int) []time.Duration {
	before := scrapeWriteLock(b, r)
	probe := startFsyncProbe(filepath.Dir(r.db))
	lat := pacedPhase(b, r, ids, n, name)
	fs := probe.end(b)
	b.ReportMetric(fs[0], name+"-fsync-p50-ms")
	b.ReportMetric(fs[1], name+"-fsync-p99-ms")
	b.Logf("%s: fsync p50/p99/p99.9/max %.2f/%.2f/%.2f/%.2f ms; write lock: %s", name, fs[0], fs[1], fs[2], fs[3], writeLockReport(before, scrapeWriteLock(b, r)))
	return lat
}

// loadAvg is the machine's load average (the first three fields of /proc/loadavg).
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}
