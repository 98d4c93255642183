package implementation_test

import (
	"context"
	"testing"

	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestImplementation(t *testing.T) {
	// The same answers, to the byte, from the SQLite file and from PostgreSQL.
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, "../projectiontest/testdata/history.jsonl")
		projectiontest.CatchUpOn(t, b, implementation.Projection{})
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
				res, err := implementation.List(context.Background(), b.ReadDB, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				projectiontest.Golden(t, "testdata/"+tc.name+".golden.json", res)
			})
		}
	})
}
