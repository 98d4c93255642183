package natsbus_test

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/natsbus/natstest"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/peerstest"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
)

// benchPoll is the poll interval of every instance in the benchmark: the Store's default, which
// serve uses.
const benchPoll = 250 * time.Millisecond

// BenchmarkWakeup measures how long a commit on instance A takes to reach a subscription on
// instance B of the same PostgreSQL store (from the start of A's Append to B's delivery), for
// each way B learns of it, in one run: poll (PollInterval only), listen (PostgreSQL
// LISTEN/NOTIFY) and nats (NATS JetStream through Watermill). Commits come at random moments (a
// pause of 0 to 250 ms before each), so polling is not in step with them. It reports the p50 and
// p99 of the latencies in milliseconds, and the p50 of A's Append alone (commit-p50-ms), which
// every latency includes.
func BenchmarkWakeup(b *testing.B) {
	dbURL := postgrestest.URL(b)
	natsURL := natstest.URL(b)
	transports := []struct {
		name  string
		peers func(b *testing.B, schema string) postgres.Peers
	}{
		{"poll", func(*testing.B, string) postgres.Peers { return nil }},
		{"listen", func(b *testing.B, schema string) postgres.Peers {
			u, _ := url.Parse(dbURL)
			return listenerVia(b, dbURL, schema, u.Host)
		}},
		{"nats", func(b *testing.B, schema string) postgres.Peers {
			return headsVia(b, "", schema, natstest.HostPort(b, natsURL))
		}},
	}
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			url, schema := postgrestest.Schema(b)
			a := peerstest.Instance(b, url, schema, tr.peers(b, schema), benchPoll)
			f := peerstest.Follow(b, peerstest.Instance(b, url, schema, tr.peers(b, schema), benchPoll))
			lat, commit := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				time.Sleep(rand.N(benchPoll))
				b.StartTimer()
				start := time.Now()
				pos := peerstest.Append(b, a).Position
				commit = append(commit, time.Since(start))
				d := <-f.C
				if d.Event.Position != pos {
					b.Fatalf("delivered %v, want %v", d.Event.Position, pos)
				}
				lat = append(lat, d.At.Sub(start))
			}
			slices.Sort(lat)
			slices.Sort(commit)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
			b.ReportMetric(ms(commit[len(commit)/2]), "commit-p50-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
