package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
)

// benchPayload is ~300 bytes of JSON, like a typical civicflow event (as in ops/sqlite).
var benchPayload = []byte(`{"process":"0193c3a5-7c1e-7d4b-9a5e-2f6b8c1d0e9f","stage":"execution","task":"hold_workshop","evidence":"Protokoll der Zukunftswerkstatt im Stadtteilzentrum, 42 Teilnehmende aus Politik, Verwaltung, Wirtschaft und Zivilgesellschaft","completed_by":"anna","note":"siehe Anlage"}`)

func benchEvent() eventstore.EventData {
	return eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1,
		Data: benchPayload, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}}
}

// BenchmarkAppendVsRaw appends single events from 64 concurrent appenders (each its own stream,
// exact expected versions) and, in the same run, inserts the same number of precomputed rows with
// plain pgx in COPY batches of 64 rows per transaction (the raw ceiling: what 64 appenders with
// one append each in flight can at most fill) into a second store's schema, in three alternating
// rounds, so that a change of the machine's load during the run moves both sides alike (one round
// each, appends first, gave 77–143 % in three runs at load 6). It reports both rates and the
// ratio (target ≥ 70 %).
func BenchmarkAppendVsRaw(b *testing.B) {
	s, raw := open(b, postgres.Config{}), open(b, postgres.Config{})
	n := max(b.N, 6000)
	var appendTime, rawTime float64 // seconds per event, summed over the rounds
	const rounds = 3
	for round := range rounds {
		appendTime += 1 / appendConcurrently(b, s, n/rounds, fmt.Sprintf("process%d", round))
		rawTime += 1 / rawInsert(b, raw, n/rounds, 64)
	}
	appendRate, rawRate := rounds/appendTime, rounds/rawTime
	b.ReportMetric(appendRate, "append-events/s")
	b.ReportMetric(rawRate, "raw-events/s")
	b.ReportMetric(100*appendRate/rawRate, "%-of-raw")
}

// appendConcurrently appends n single events from 64 appenders, each to a stream of its own
// (prefix-0 … prefix-63) with exact expected versions, and returns the rate.
func appendConcurrently(b *testing.B, s *postgres.Store, n int, prefix string) float64 {
	ctx := context.Background()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for a := range 64 {
		wg.Go(func() {
			stream := fmt.Sprintf("%s-%d", prefix, a)
			var version int64
			for next.Add(1) <= int64(n) {
				if _, err := s.Append(ctx, stream, eventstore.Exact(version), benchEvent()); err != nil {
					b.Error(err)
					return
				}
				version++
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkAppendNotify is what LISTEN/NOTIFY costs the writer: 64 appenders on a Store without
// Peers and on one with a Listener (pg_notify in every appending transaction, and a session
// listening), in alternating rounds of one run; it reports both rates and their ratio.
func BenchmarkAppendNotify(b *testing.B) {
	plain := open(b, postgres.Config{})
	url, schema := postgrestest.Schema(b)
	l, err := postgres.NewListener(postgres.ListenerConfig{URL: url, Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	notifying, err := postgres.New(context.Background(), postgres.Config{URL: url, Schema: schema, Peers: l})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { notifying.Close() })
	n := max(b.N, 2000)
	var plainRate, notifyRate float64
	for round := range 3 {
		prefix := fmt.Sprintf("round%d", round)
		plainRate += appendConcurrently(b, plain, n, prefix) / 3
		notifyRate += appendConcurrently(b, notifying, n, prefix) / 3
	}
	b.ReportMetric(plainRate, "plain-events/s")
	b.ReportMetric(notifyRate, "notify-events/s")
	b.ReportMetric(100*notifyRate/plainRate, "%-of-plain")
}

// rawInsert inserts n precomputed rows after the log's end in COPY batches of perTx rows, one
// transaction each, and returns the rate.
func rawInsert(b *testing.B, s *postgres.Store, n, perTx int) float64 {
	ctx := context.Background()
	head, err := s.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	pos := int64(head.Commit())
	rows := make([][]any, n)
	now := time.Now().UTC()
	for i := range rows {
		e := benchEvent()
		p := pos + int64(i) + 1
		stream, version := fmt.Sprintf("raw-%d", p%64), p/64+1
		rec := eventstore.EncodeRecord(eventstore.Event{ID: e.ID, Stream: stream, Version: version, Type: e.Type,
			SchemaVersion: 1, Data: e.Data, Metadata: e.Metadata, RecordedAt: now})
		h := eventstore.ChainHash(eventstore.Hash{}, rec)
		rows[i] = []any{p, stream, version, e.ID[:], e.Type, rec, h[:]}
	}
	cols := []string{"position", "stream", "version", "event_id", "type", "record", "hash"}
	start := time.Now()
	for i := 0; i < n; i += perTx {
		tx, err := s.Pool().Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, cols, pgx.CopyFromRows(rows[i:min(i+perTx, n)])); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkReadAllVsRaw reads a log of 50,000 events in pages of 1,000 with ReadAll (decoded)
// and with a plain SELECT of the same rows into byte slices, and reports both and the ratio
// (target ≥ 70 %).
func BenchmarkReadAllVsRaw(b *testing.B) {
	s := open(b, postgres.Config{})
	ctx := context.Background()
	const size = 50_000
	rawInsert(b, s, size, 5000)
	if _, err := s.Pool().Exec(ctx, `UPDATE log_head SET position = $1`, size); err != nil {
		b.Fatal(err)
	}
	readStore := func() {
		after := eventstore.Start
		for {
			page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000})
			if err != nil {
				b.Fatal(err)
			}
			if len(page) < 1000 {
				return
			}
			after = page[len(page)-1].Position
		}
	}
	readRaw := func() {
		var last int64
		for {
			rows, err := s.Pool().Query(ctx, `SELECT position, record, hash FROM events WHERE position > $1 ORDER BY position LIMIT 1000`, last)
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for rows.Next() {
				var rec, hash []byte
				if err := rows.Scan(&last, &rec, &hash); err != nil {
					b.Fatal(err)
				}
				got++
			}
			rows.Close()
			if got < 1000 {
				return
			}
		}
	}
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	readRaw() // warm the server's cache
	b.ResetTimer()
	var storeTime, rawTime time.Duration
	for i := range b.N { // alternate which goes first
		if i%2 == 0 {
			storeTime += timed(readStore)
			rawTime += timed(readRaw)
		} else {
			rawTime += timed(readRaw)
			storeTime += timed(readStore)
		}
	}
	b.ReportMetric(float64(size*b.N)/storeTime.Seconds(), "readall-events/s")
	b.ReportMetric(float64(size*b.N)/rawTime.Seconds(), "raw-events/s")
	b.ReportMetric(100*rawTime.Seconds()/storeTime.Seconds(), "%-of-raw")
}
