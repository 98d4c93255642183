package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/eventstore/eventstoretest"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
)

func TestConformance(t *testing.T) {
	eventstoretest.Run(t, func(t *testing.T, clock func() time.Time) eventstore.Store {
		return open(t, postgres.Config{Clock: clock})
	}, eventstoretest.Features{IdempotentAny: true, GlobalEventIDs: true})
}

// open opens a store in a schema of the test's own (cfg's URL and Schema are set) and closes it
// at the end.
func open(t testing.TB, cfg postgres.Config) *postgres.Store {
	t.Helper()
	cfg.URL, cfg.Schema = postgrestest.Schema(t)
	s, err := postgres.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
