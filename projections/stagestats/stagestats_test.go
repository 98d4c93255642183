package stagestats_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/stagestats"
)

func TestStageStats(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, stagestats.Projection{})
	for _, tc := range []struct {
		name string
		q    stagestats.Query
	}{
		{"every_tenant", stagestats.Query{}},
		{"one_tenant", stagestats.Query{Tenant: "menden", Template: "test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := stagestats.List(context.Background(), s.ProjectionReadDB(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
		})
	}
}
