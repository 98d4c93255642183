package stagestats_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/stagestats"
)

func TestStageStats(t *testing.T) {
	// The same answers, to the byte, from the SQLite file and from PostgreSQL.
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, "../projectiontest/testdata/history.jsonl")
		projectiontest.CatchUpOn(t, b, stagestats.Projection{})
		for _, tc := range []struct {
			name string
			q    stagestats.Query
		}{
			{"every_tenant", stagestats.Query{}},
			{"one_tenant", stagestats.Query{Tenant: "menden", Template: "test"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := stagestats.List(context.Background(), b.ReadDB, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
			})
		}
	})
}
