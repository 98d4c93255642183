package implementation_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestImplementation(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, implementation.Projection{})
	for _, tc := range []struct {
		name string
		q    implementation.Query
	}{
		{"every_tenant", implementation.Query{}},
		{"one_tenant", implementation.Query{Tenant: "menden"}},
		{"one_process", implementation.Query{Process: "0190a000-0000-7000-8000-000000000001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Now = projectiontest.Now
			res, err := implementation.List(context.Background(), s.ProjectionReadDB(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
		})
	}
}
