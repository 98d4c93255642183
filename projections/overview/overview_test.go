package overview_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestOverview(t *testing.T) {
	list := func(tenant string) func(context.Context, *sql.DB) (any, error) {
		return func(ctx context.Context, db *sql.DB) (any, error) {
			return overview.List(ctx, db, overview.Query{Tenant: tenant, Now: projectiontest.Now})
		}
	}
	projectiontest.Goldens(t, overview.Projection{},
		projectiontest.Case{Name: "every_tenant", Answer: list("")},
		projectiontest.Case{Name: "one_tenant", Answer: list("menden")})
}
