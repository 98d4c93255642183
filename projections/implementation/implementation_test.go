package implementation_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestImplementation(t *testing.T) {
	list := func(q implementation.Query) func(context.Context, *sql.DB) (any, error) {
		q.Now = projectiontest.Now
		return func(ctx context.Context, db *sql.DB) (any, error) { return implementation.List(ctx, db, q) }
	}
	projectiontest.Goldens(t, implementation.Projection{},
		projectiontest.Case{Name: "every_tenant", Answer: list(implementation.Query{})},
		projectiontest.Case{Name: "one_tenant", Answer: list(implementation.Query{Tenant: "menden"})},
		projectiontest.Case{Name: "one_process", Answer: list(implementation.Query{Process: "0190a000-0000-7000-8000-000000000001"})})
}
