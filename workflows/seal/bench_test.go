package seal_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// sealEvents is how many events BenchmarkSeal seals: CIVICFLOW_TEST_SEAL_EVENTS, else 1,000 with
// -short, else 100,000.
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
	return 100_000
}

// BenchmarkSeal measures one seal of a log of sealEvents events (100 streams): the sealer reads
// every record, recomputes every chain hash and the whole tree, checks the last heads and signs.
// It reports the time per event of the log.
func BenchmarkSeal(b *testing.B) {
	f := setup(b)
	n := sealEvents(b)
	ctx := context.Background()
	for i := 0; i < n; i += 500 {
		batch := make([]eventstore.EventData, 0, 500)
		for k := i; k < min(i+500, n); k++ {
			batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.contribution_recorded", SchemaVersion: 1,
				Data: fmt.Appendf(nil, `{"contribution":"k%d","plain_text":"Idee %d für den Spielplatz am Lindenauer Markt"}`, k, k)})
		}
		if _, err := f.store.Append(ctx, fmt.Sprintf("process-%d", (i/500)%100), eventstore.Any, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := f.sealer.Seal(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
}
