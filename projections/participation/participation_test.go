package participation_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestParticipation(t *testing.T) {
	// The same answers, to the byte, from the SQLite file and from PostgreSQL.
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, "../projectiontest/testdata/history.jsonl")
		projectiontest.CatchUpOn(t, b, participation.Projection{})
		for _, tc := range []struct {
			name string
			q    participation.Query
		}{
			{"every_tenant", participation.Query{}},
			{"one_tenant", participation.Query{Tenant: "menden"}},
			{"one_process", participation.Query{Process: "0190a000-0000-7000-8000-000000000001"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := participation.Summary(context.Background(), b.ReadDB, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
			})
		}
	})
}
