package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/processlist"
)

// BenchmarkProcessListFeed measures how long the process list takes to show a commit of n events
// (what a command waits for after its own commit), fed by serve's Watermill router or by a direct
// subscription to the store.
func BenchmarkProcessListFeed(b *testing.B) {
	for _, n := range []int{1, 16} {
		for _, feed := range []string{"router", "subscription"} {
			b.Run(fmt.Sprintf("events=%d/%s", n, feed), func(b *testing.B) { benchListFeed(b, n, feed) })
		}
	}
}

func benchListFeed(b *testing.B, n int, feed string) {
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), "db"), Synchronous: "normal", AllowDataLoss: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	list := processlist.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	switch feed {
	case "router":
		m, err := metrics.New(metrics.Config{List: list, Store: s})
		if err != nil {
			b.Fatal(err)
		}
		stop, err := startRouter(s, list, m, log)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
	default:
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- list.Run(ctx, s) }()
		defer func() { cancel(); <-done }()
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		evs := make([]eventstore.EventData, n)
		for j := range evs {
			evs[j] = eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.noted", SchemaVersion: 1, Data: []byte(`{}`)}
		}
		res, err := s.Append(context.Background(), fmt.Sprintf("process-%08d-0000-0000-0000-000000000000", i), eventstore.NoStream, evs...)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := list.WaitFor(context.Background(), res.Position); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}
