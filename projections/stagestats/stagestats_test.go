package stagestats_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/stagestats"
)

func TestStageStats(t *testing.T) {
	list := func(q stagestats.Query) func(context.Context, *sql.DB) (any, error) {
		return func(ctx context.Context, db *sql.DB) (any, error) { return stagestats.List(ctx, db, q) }
	}
	projectiontest.Goldens(t, stagestats.Projection{},
		projectiontest.Case{Name: "every_tenant", Answer: list(stagestats.Query{})},
		projectiontest.Case{Name: "one_tenant", Answer: list(stagestats.Query{Tenant: "menden", Template: "test"})})
}
