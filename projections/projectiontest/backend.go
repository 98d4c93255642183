package projectiontest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/projections/runner"
)

// Log is the event store a backend's test appends to and the read models follow.
type Log interface {
	eventstore.Store
	eventstore.HeadReader
}

// Backend is where one run of a read-model test keeps the log and the read models: the embedded
// SQLite file or a PostgreSQL schema of its own.
type Backend struct {
	// Name is "sqlite" or "postgresql" (the subtest's name).
	Name string
	// Log is the event store, with Clock as its clock.
	Log   Log
	Clock *Clock
	// DB holds the read models and their checkpoints (the runner writes through it); ReadDB is
	// the readers' pool.
	DB, ReadDB *sql.DB
	// Dialect is the SQL dialect of DB and ReadDB.
	Dialect runner.Dialect
	// Scratch opens an empty database of the dialect (for runner.Check) and returns the
	// function that discards it.
	Scratch func() (runner.DB, func() error, error)
}

// Backends runs fn as a subtest on each backend that holds read models: SQLite in t's temporary
// directory, PostgreSQL in a schema of its own (dropped afterwards). Without a PostgreSQL server
// that subtest is skipped with a message saying how to start one, under CI=true it fails
// (postgrestest).
func Backends(t *testing.T, fn func(t *testing.T, b *Backend)) {
	t.Run("sqlite", func(t *testing.T) {
		s, clock := Open(t, t.TempDir())
		fn(t, &Backend{Name: "sqlite", Log: s, Clock: clock, DB: s.ProjectionDB(), ReadDB: s.ProjectionReadDB(), Dialect: runner.SQLite,
			Scratch: func() (runner.DB, func() error, error) {
				db, err := sqlite.OpenScratch()
				if err != nil {
					return nil, nil, err
				}
				return db, db.Close, nil
			}})
	})
	t.Run("postgresql", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenPostgres opens a PostgreSQL store and read-model database in a new schema with a settable
// clock; they close with the test.
func OpenPostgres(t testing.TB) *Backend {
	t.Helper()
	url, schema := postgrestest.Schema(t)
	clock := &Clock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := postgres.New(context.Background(), postgres.Config{URL: url, Schema: schema, Clock: clock.Now, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	db := storage.OpenPostgresReadModels(s.Pool())
	t.Cleanup(func() { db.Close(); s.Close() })
	return &Backend{Name: "postgresql", Log: s, Clock: clock, DB: db, ReadDB: db, Dialect: runner.PostgreSQL, Scratch: storage.PostgresScratch(url)}
}

// CatchUpOn runs the read models on b until they have applied the whole log, then stops them.
func CatchUpOn(t testing.TB, b *Backend, ps ...runner.Projection) {
	t.Helper()
	catchUp(t, runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: ps}, b.Log)
}

// Case is one query of a golden test: its answer, read through the read models' pool, is
// compared with testdata/<Name>.golden.json.
type Case struct {
	Name   string
	Answer func(ctx context.Context, db *sql.DB) (any, error)
}

// Goldens replays the recorded history (testdata/history.jsonl of this package) into p on every
// backend and compares each case's answer with its golden file: the same files for SQLite and
// PostgreSQL, so both must answer byte for byte alike.
func Goldens(t *testing.T, p runner.Projection, cases ...Case) {
	Backends(t, func(t *testing.T, b *Backend) {
		Append(t, b.Log, b.Clock, "../projectiontest/testdata/history.jsonl")
		CatchUpOn(t, b, p)
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				res, err := c.Answer(context.Background(), b.ReadDB)
				if err != nil {
					t.Fatal(err)
				}
				Golden(t, "testdata/"+c.Name+".golden.json", res)
			})
		}
	})
}
