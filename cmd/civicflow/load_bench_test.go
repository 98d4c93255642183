package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkHTTPLoad drives the real binary with real HTTP clients, each on a process of its own,
// recording contributions: commands/s and p50/p99 latency with 1, 16 and 64 clients, and at a
// paced 1,000 commands/s (16 clients, each sending every 16 ms, their starts spread evenly).
func BenchmarkHTTPLoad(b *testing.B) {
	r := startServer(b)
	r.token("leipzig", "bench", "lead")
	transport := &http.Transport{MaxIdleConnsPerHost: 128}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	send := func(id string) (time.Duration, error) {
		body := []byte(`{"topic":"Radweg","text":"Eine sichere Querung vor der Grundschule"}`)
		req, _ := http.NewRequest("POST", r.url+"/api/v1/processes/"+id+"/record_contribution", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+r.tokens["lead@leipzig"])
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		return time.Since(t0), nil
	}
	run := func(b *testing.B, clients int, pace time.Duration) {
		ids := make([]string, clients)
		for i := range ids {
			ids[i] = r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": fmt.Sprint("Last ", i)}).body["process"].(string)
		}
		lat := make([]time.Duration, b.N)
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		start := time.Now()
		for c := range clients {
			wg.Go(func() {
				// Paced clients start spread over one period, so that the commands arrive evenly
				// (1,000/s is one every millisecond), not in bursts of all clients at once.
				tick := start.Add(time.Duration(c) * pace / time.Duration(clients))
				for {
					i := next.Add(1) - 1
					if i >= int64(b.N) {
						return
					}
					if pace > 0 {
						tick = tick.Add(pace)
						time.Sleep(time.Until(tick))
					}
					d, err := send(ids[c])
					if err != nil {
						b.Error(err)
						return
					}
					lat[i] = d
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(lat)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commands/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { run(b, clients, 0) })
	}
	b.Run("paced_1000_per_s_16_clients", func(b *testing.B) { run(b, 16, 16*time.Millisecond) })
}
