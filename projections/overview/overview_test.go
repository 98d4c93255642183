package overview_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestOverview(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, overview.Projection{})
	for _, tc := range []struct{ name, tenant string }{{"every_tenant", ""}, {"one_tenant", "menden"}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := overview.List(context.Background(), s.ProjectionReadDB(), overview.Query{Tenant: tc.tenant, Now: projectiontest.Now})
			if err != nil {
				t.Fatal(err)
			}
			projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
		})
	}
}
