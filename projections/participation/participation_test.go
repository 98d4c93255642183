package participation_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestParticipation(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, participation.Projection{})
	for _, tc := range []struct {
		name string
		q    participation.Query
	}{
		{"every_tenant", participation.Query{}},
		{"one_tenant", participation.Query{Tenant: "menden"}},
		{"one_process", participation.Query{Process: "0190a000-0000-7000-8000-000000000001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := participation.Summary(context.Background(), s.ProjectionReadDB(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
		})
	}
}
