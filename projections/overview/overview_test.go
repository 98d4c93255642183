package overview_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestOverview(t *testing.T) {
	// The same answers, to the byte, from the SQLite file and from PostgreSQL.
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, "../projectiontest/testdata/history.jsonl")
		projectiontest.CatchUpOn(t, b, overview.Projection{})
		for _, tc := range []struct{ name, tenant string }{{"every_tenant", ""}, {"one_tenant", "menden"}} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := overview.List(context.Background(), b.ReadDB, overview.Query{Tenant: tc.tenant, Now: projectiontest.Now})
				if err != nil {
					t.Fatal(err)
				}
				projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
			})
		}
	})
}
