package participation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// BenchmarkApplyBatch applies 100,000 events in batches of 10,000 (as a rebuild does) to fresh
// tables, mixed as in
// runner's BenchmarkRebuild: processes of 1,000 events, 10 % sessions scheduled, 10 %
// participants registered, the rest contributions.
func BenchmarkApplyBatch(b *testing.B) {
	const n, size = 100_000, 10_000
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	es := make([]eventstore.Event, 0, n)
	for i := range n {
		var p process.Payload
		switch j := i % 1000; {
		case j == 0:
			p = process.ProcessOpened{Title: "Verfahren", Tenant: "t", At: at}
		case j%10 == 1:
			p = process.SessionScheduled{Session: fmt.Sprint("s", j), Title: "Werkstatt", Format: "workshop", Date: at}
		case j%10 == 2:
			p = process.ParticipantRegistered{Participant: fmt.Sprint("x", j), Person: "p", Group: "citizens"}
		default:
			p = process.ContributionRecorded{Contribution: fmt.Sprint("k", j), Topic: "Spielplatz"}
		}
		data, schema, err := process.Encode(p)
		if err != nil {
			b.Fatal(err)
		}
		es = append(es, eventstore.Event{Stream: fmt.Sprintf("process-%08d", i/1000), Position: eventstore.SequencePosition(uint64(i + 1)),
			Type: p.Type(), SchemaVersion: schema, Data: data, RecordedAt: at})
	}
	s, _ := projectiontest.Open(b, b.TempDir())
	ctx, p := context.Background(), participation.Projection{}
	build := 0
	for b.Loop() {
		build++
		tb := runner.TablesOf(participation.Name, build)
		tx, err := s.ProjectionDB().BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range p.Schema(tb) {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < n; i += size {
			if err := p.ApplyBatch(ctx, tx, tb, es[i:i+size]); err != nil {
				b.Fatal(err)
			}
		}
		tx.Rollback()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
