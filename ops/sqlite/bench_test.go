package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/google/uuid"
)

// benchPayload is ~300 bytes of JSON, like a typical civicflow event.
var benchPayload = []byte(`{"process":"0193c3a5-7c1e-7d4b-9a5e-2f6b8c1d0e9f","stage":"execution","task":"hold_workshop","evidence":"Protokoll der Zukunftswerkstatt im Stadtteilzentrum, 42 Teilnehmende aus Politik, Verwaltung, Wirtschaft und Zivilgesellschaft","completed_by":"anna","note":"siehe Anlage"}`)

func benchEvent() eventstore.EventData {
	return eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 1,
		Data: benchPayload, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}}
}

func perSecond(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppend appends single ~300-byte events from 1 and 64 concurrent appenders, each to
// its own stream with an exact expected version.
func BenchmarkAppend(b *testing.B) {
	for _, appenders := range []int{1, 64} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			s := open(b, sqlite.Config{Path: filepath.Join(b.TempDir(), "bench.db")})
			ctx := context.Background()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for a := range appenders {
				wg.Go(func() {
					stream := fmt.Sprintf("process-%d", a)
					var version int64
					for next.Add(1) <= int64(b.N) {
						if _, err := s.Append(ctx, stream, eventstore.Exact(version), benchEvent()); err != nil {
							b.Error(err)
							return
						}
						version++
					}
				})
			}
			wg.Wait()
			perSecond(b, b.N)
		})
	}
}

// BenchmarkRawInsert is the ceiling for appends: the same rows, precomputed (compact bodies and
// numbered streams included), inserted into the same table with plain SQL, 100 per transaction,
// with the same durability settings.
func BenchmarkRawInsert(b *testing.B) {
	path := filepath.Join(b.TempDir(), "raw.db")
	open(b, sqlite.Config{Path: path}).Close() // create the schema
	db := rawInsertDB(b, path)
	rows := rawRowsFrom(0, b.N)
	b.ResetTimer()
	insertRaw(b, db, rows, 100)
	perSecond(b, b.N)
}

// insertRaw inserts rows with plain SQL, perTx rows per transaction.
func insertRaw(b *testing.B, db *sql.DB, rows [][]any, perTx int) {
	ctx := context.Background()
	for i := 0; i < len(rows); i += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO event_log (position, stream, version, category, type, event_id, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows[i:min(i+perTx, len(rows))] {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// insertRawMulti inserts rows with plain SQL, perTx rows per transaction, all of a transaction's
// rows in one multi-row INSERT statement (a candidate for the ceiling; see
// BenchmarkGroupCommitVsCeiling).
func insertRawMulti(b *testing.B, db *sql.DB, rows [][]any, perTx int) {
	ctx := context.Background()
	args := make([]any, 0, 8*perTx)
	for i := 0; i < len(rows); i += perTx {
		part := rows[i:min(i+perTx, len(rows))]
		args = args[:0]
		for _, r := range part {
			args = append(args, r...)
		}
		q := `INSERT INTO event_log (position, stream, version, category, type, event_id, body, hash) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?),", len(part)), ",")
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

func rawDB(b *testing.B, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_journal_mode=WAL&_synchronous=full&_txlock=immediate&_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	return db
}

// Numbers of the names that the rows of rawRowsFrom refer to (rawInsertDB adds them).
const rawType, rawCategory, rawStream0 = 1001, 1002, 1001

// rawInsertDB is rawDB on a store without process streams, with the names that the rows of
// rawRowsFrom refer to (their type under another name, which the store may hold already).
func rawInsertDB(b *testing.B, path string) *sql.DB {
	db := rawDB(b, path)
	if _, err := db.Exec(`INSERT INTO event_names (id, name) VALUES (?, 'process.task_completed (raw)'), (?, 'process-')`, rawType, rawCategory); err != nil {
		b.Fatal(err)
	}
	for i := range 64 {
		if _, err := db.Exec(`INSERT INTO event_streams (id, name, category) VALUES (?, ?, ?)`, rawStream0+i, fmt.Sprintf("process-%d", i), rawCategory); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// rawRowsFrom precomputes n rows as the store would write them after position from, spread
// over 64 streams like the 64 appenders' events.
func rawRowsFrom(from int64, n int) [][]any {
	rows := make([][]any, n)
	now := time.Now().UTC()
	for i := range rows {
		pos := from + int64(i)
		e := benchEvent()
		stream, version := fmt.Sprintf("process-%d", pos%64), pos/64+1
		rec := eventstore.EncodeRecord(eventstore.Event{ID: e.ID, Stream: stream, Version: version, Type: e.Type,
			SchemaVersion: 1, Data: e.Data, Metadata: e.Metadata, RecordedAt: now})
		h := eventstore.ChainHash(eventstore.Hash{}, rec) // the chain is not checked here
		body := sqlite.StoredBody(eventstore.Event{ID: e.ID, Stream: stream, Version: version, Type: e.Type,
			SchemaVersion: 1, Data: e.Data, Metadata: e.Metadata, RecordedAt: now}, rec)
		rows[i] = []any{pos + 1, rawStream0 + pos%64, version, rawCategory, rawType, e.ID[:], body, h[:]}
	}
	return rows
}

// readBenchEvents is the size of the log the read benchmarks scan.
const readBenchEvents = 100_000

var readBenchPath = sync.OnceValues(func() (string, error) {
	dir, err := tempDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "read.db")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		return "", err
	}
	defer s.Close()
	ctx := context.Background()
	for i := 0; i < readBenchEvents; i += 100 {
		evs := make([]eventstore.EventData, 100)
		for j := range evs {
			evs[j] = benchEvent()
		}
		if _, err := s.Append(ctx, "process-"+uuid.NewString(), eventstore.NoStream, evs...); err != nil {
			return "", err
		}
	}
	return path, nil
})

func readBenchStore(b *testing.B) (*sqlite.Store, string) {
	path, err := readBenchPath()
	if err != nil {
		b.Fatal(err)
	}
	return open(b, sqlite.Config{Path: path}), path
}

// BenchmarkReadAll reads the whole log of 100,000 events in pages of 1000, decoding every event:
// unfiltered (the log in position order), and filtered to the category that holds every event
// (the process list's start and a read model's own rebuild: through event_log_category).
func BenchmarkReadAll(b *testing.B) {
	for _, bc := range []struct {
		name   string
		filter eventstore.Filter
	}{{"all", eventstore.Filter{}}, {"category", eventstore.Filter{StreamPrefixes: []string{"process-"}}}} {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := readBenchStore(b)
			ctx := context.Background()
			b.ResetTimer()
			n := 0
			for range b.N {
				after := eventstore.Start
				for {
					page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000, Filter: bc.filter})
					if err != nil {
						b.Fatal(err)
					}
					n += len(page)
					if len(page) < 1000 {
						break
					}
					after = page[len(page)-1].Position
				}
			}
			perSecond(b, n)
		})
	}
}

// BenchmarkRawScan is the ceiling for ReadAll: the same rows selected in the same pages with plain
// SQL and scanned into byte slices, without decoding.
func BenchmarkRawScan(b *testing.B) {
	_, path := readBenchStore(b)
	db := rawDB(b, path)
	ctx := context.Background()
	b.ResetTimer()
	n := 0
	for range b.N {
		var after int64
		for {
			rows, err := db.QueryContext(ctx, `SELECT l.position, l.event_id, s.name, l.version, t.name, l.body, l.hash FROM event_log l
				JOIN event_streams s ON s.id = l.stream JOIN event_names t ON t.id = l.type WHERE l.position > ? ORDER BY l.position LIMIT 1000`, after)
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for rows.Next() {
				var version int64
				var stream, typ string
				var id, body, hash []byte
				if err := rows.Scan(&after, &id, &stream, &version, &typ, &body, &hash); err != nil {
					b.Fatal(err)
				}
				got++
			}
			rows.Close()
			n += got
			if got < 1000 {
				break
			}
		}
	}
	perSecond(b, n)
}

// BenchmarkSubscriptionLatency measures the time from an acknowledged append to a waiting
// subscriber receiving the event, and reports its median and 99th percentile in milliseconds.
func BenchmarkSubscriptionLatency(b *testing.B) {
	s := open(b, sqlite.Config{Path: filepath.Join(b.TempDir(), "latency.db")})
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	received := make(chan time.Time, 1)
	go func() {
		for {
			if _, err := sub.Next(ctx); err != nil {
				return
			}
			received <- time.Now()
		}
	}()
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Append(ctx, "process-1", eventstore.Exact(int64(i)), benchEvent()); err != nil {
			b.Fatal(err)
		}
		acked := time.Now()
		latencies = append(latencies, (<-received).Sub(acked))
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
