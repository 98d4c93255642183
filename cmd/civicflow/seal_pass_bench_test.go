package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartSealPass measures what the start's first seal, a full pass over the log in the
// background, costs a server (issue 16), for each audit.seal_pass_percent of
// CIVICFLOW_BENCH_SEAL_PASS_PERCENTS (default "100,25"; 100 is unpaced; each once), in one run and in turn:
// the server starts on the store (ready-s), the paced phase of BenchmarkHistory (1,000
// record_contribution/s, CIVICFLOW_BENCH_PACED_COMMANDS, default 3,000) runs at once, during the
// pass (p50/p99/p99.9), then the pass's own duration as logged (pass-s); then the server starts
// again and is stopped 1 s after it is ready, during the pass (stop-s: SIGTERM to exit, the
// stop's incremental seal included). The store is CIVICFLOW_BENCH_HISTORY_FROM (a history kept by
// BenchmarkHistory, e.g. 10^6 events), else 3,000 contributions recorded for it (CI).
func BenchmarkStartSealPass(b *testing.B) {
	percents := strings.Split(os.Getenv("CIVICFLOW_BENCH_SEAL_PASS_PERCENTS"), ",")
	if percents[0] == "" {
		percents = []string{"100", "25"}
	}
	paced := 3000
	if v := os.Getenv("CIVICFLOW_BENCH_PACED_COMMANDS"); v != "" {
		paced, _ = strconv.Atoi(v)
	}
	r := startServer(b)
	r.token("leipzig", "bench", "lead")
	var long []string
	if from := os.Getenv("CIVICFLOW_BENCH_HISTORY_FROM"); from != "" {
		long = reuseHistory(b, r, from, historyBench{events: 1_000_000})
	} else {
		r.stop()
		long = recordWhileStopped(b, r, 3000)
		r.startAgain(b)
		r.waitReady()
	}
	took := regexp.MustCompile(`msg="log sealed" events=\d+ root="[^"]*" pass=full took=(\S+)`)
	for range b.N {
		for _, p := range percents {
			r.stop()
			t0 := time.Now()
			mark := r.startPaced(mustAtoi(b, p))
			b.ReportMetric(time.Since(t0).Seconds(), "ready-s-"+p+"%")
			lat := pacedPhase(b, r, long, paced, "seal-pass-"+p)
			if strings.Contains(r.since(mark), "log sealed") {
				b.Logf("percent %s: the pass ended during the paced phase", p)
			}
			r.waitLogged(b, mark, "log sealed", 20*time.Minute)
			m := took.FindStringSubmatch(r.since(mark))
			if m == nil {
				b.Fatalf("percent %s: no full pass logged:\n%s", p, r.since(mark))
			}
			pass, err := time.ParseDuration(m[1])
			if err != nil {
				b.Fatal(err)
			}
			q := percentiles(lat)
			b.ReportMetric(pass.Seconds(), "pass-s-"+p+"%")
			b.ReportMetric(q[0], "p50-ms-"+p+"%")
			b.ReportMetric(q[1], "p99-ms-"+p+"%")
			b.ReportMetric(q[2], "p99.9-ms-"+p+"%")

			r.stop()
			mark = r.startPaced(mustAtoi(b, p))
			time.Sleep(time.Second)
			if strings.Contains(r.since(mark), "log sealed") {
				b.Logf("percent %s: the pass ended before the stop", p)
			}
			t0 = time.Now()
			r.stop()
			b.ReportMetric(time.Since(t0).Seconds(), "stop-s-"+p+"%")
			if !strings.Contains(r.since(mark), "pass=incremental") {
				b.Errorf("percent %s: the stop did not seal incrementally:\n%s", p, r.since(mark))
			}
			r.startAgain(b)
			r.waitReady()
		}
	}
}

func mustAtoi(b *testing.B, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		b.Fatalf("CIVICFLOW_BENCH_SEAL_PASS_PERCENTS: %q: %v", s, err)
	}
	return n
}
