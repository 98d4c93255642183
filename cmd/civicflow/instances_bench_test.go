package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// BenchmarkInstances measures commands/s of the same client (16 goroutines, each suspending and
// resuming a process of its own over HTTP) against one instance and against three instances on
// one PostgreSQL schema, in one run: phases of CIVICFLOW_BENCH_INSTANCES_PHASE (default 5s)
// alternate one, three, one, three, … (CIVICFLOW_BENCH_INSTANCES_ROUNDS rounds, default 2), so
// that a change in the machine's load hits both. It reports the median of each and their ratio
// (three/one), and how many commands each append transaction carried (the log_head updates:
// every instance group-commits its own appends, and all of them serialise on that row).
//
//	go test -run '^$' -bench BenchmarkInstances -benchtime 1x ./cmd/civicflow
func BenchmarkInstances(b *testing.B) {
	phase, rounds := 5*time.Second, 2
	if v := os.Getenv("CIVICFLOW_BENCH_INSTANCES_PHASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		phase = d
	}
	if v := os.Getenv("CIVICFLOW_BENCH_INSTANCES_ROUNDS"); v != "" {
		if _, err := fmt.Sscan(v, &rounds); err != nil {
			b.Fatal(err)
		}
	}
	c := startCluster(b, 3)
	const clients = 16
	token := c.instances[0].tokens["lead@leipzig"]
	owned := make([]string, clients)
	for i := range owned {
		rep := c.instances[0].must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": fmt.Sprintf("Last %d", i)})
		owned[i] = rep.body["process"].(string)
	}
	suspended := make([]bool, clients)
	conn, err := pgx.Connect(context.Background(), c.url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	// commits returns how many append transactions the schema has committed (the statistics
	// lag: it waits for them to be flushed).
	commits := func() float64 {
		time.Sleep(1500 * time.Millisecond)
		var n int64
		if err := conn.QueryRow(context.Background(), `SELECT n_tup_upd FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'log_head'`, c.schema).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return float64(n)
	}
	drive := func(targets []*running) (float64, float64) {
		before := commits()
		var n atomic.Int64
		var wg sync.WaitGroup
		deadline := time.Now().Add(phase)
		for i := range clients {
			wg.Go(func() {
				hc := http.Client{Timeout: 30 * time.Second}
				for k := 0; time.Now().Before(deadline); k++ {
					cmd, body := "suspend", []byte(`{"reason":"Last"}`)
					if suspended[i] {
						cmd, body = "resume", []byte(`{}`)
					}
					r := targets[(i+k)%len(targets)]
					req, _ := http.NewRequest("POST", r.url+"/api/v1/processes/"+owned[i]+"/"+cmd, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Idempotency-Key", uuid.NewString())
					resp, err := hc.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						var p map[string]any
						_ = json.Unmarshal(raw, &p)
						b.Errorf("%s: %d %v", cmd, resp.StatusCode, p)
						return
					}
					suspended[i] = !suspended[i]
					n.Add(1)
				}
			})
		}
		wg.Wait()
		return float64(n.Load()) / phase.Seconds(), float64(n.Load()) / max(commits()-before, 1)
	}
	b.ResetTimer()
	for range b.N {
		var one, three, perOne, perThree []float64
		for range rounds {
			r, per := drive(c.instances[:1])
			one, perOne = append(one, r), append(perOne, per)
			r, per = drive(c.instances)
			three, perThree = append(three, r), append(perThree, per)
		}
		b.Logf("commands/s, one instance: %.0f; three instances: %.0f", one, three)
		b.Logf("commands per append transaction, one instance: %.1f; three instances: %.1f", perOne, perThree)
		m1, m3 := median(one), median(three)
		b.ReportMetric(m1, "cmds/s-one")
		b.ReportMetric(m3, "cmds/s-three")
		b.ReportMetric(m3/m1, "three/one")
		b.ReportMetric(median(perOne), "cmds/txn-one")
		b.ReportMetric(median(perThree), "cmds/txn-three")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
