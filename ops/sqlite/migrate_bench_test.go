package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/sqlite"
)

// BenchmarkMigrate opens a copy of the store that CIVICFLOW_BENCH_MIGRATE_FROM names (one written
// by an earlier release, such as a history BenchmarkHistory kept) and reports how long bringing
// it to this program's schema takes, how many events it holds and the bytes per event of each
// table and index afterwards (SQLite's dbstat). Without the variable it is skipped.
func BenchmarkMigrate(b *testing.B) {
	from := os.Getenv("CIVICFLOW_BENCH_MIGRATE_FROM")
	if from == "" {
		b.Skip("CIVICFLOW_BENCH_MIGRATE_FROM names no store")
	}
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "migrate.db")
		copyFile(b, from, path)
		b.StartTimer()
		start := time.Now()
		s := open(b, sqlite.Config{Path: path})
		took := time.Since(start)
		b.StopTimer()
		if err := s.Verify(context.Background()); err != nil {
			b.Fatalf("the migrated store does not verify: %v", err)
		}
		s.Close()
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			b.Fatal(err)
		}
		var events int64
		if err := db.QueryRow(`SELECT count(*) FROM event_log`).Scan(&events); err != nil {
			b.Fatal(err)
		}
		rows, err := db.Query(`SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for rows.Next() {
			var name string
			var size int64
			if err := rows.Scan(&name, &size); err != nil {
				b.Fatal(err)
			}
			total += size
			if per := float64(size) / float64(events); per >= 1 {
				b.Logf("%s %.0f B/event", name, per)
			}
		}
		rows.Close()
		db.Close()
		b.ReportMetric(took.Seconds(), "migrate-s")
		b.ReportMetric(float64(events), "events")
		b.ReportMetric(float64(total)/float64(events), "bytes/event")
		b.StartTimer()
	}
}
