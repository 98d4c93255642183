package participation_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestParticipation(t *testing.T) {
	summary := func(q participation.Query) func(context.Context, *sql.DB) (any, error) {
		return func(ctx context.Context, db *sql.DB) (any, error) { return participation.Summary(ctx, db, q) }
	}
	projectiontest.Goldens(t, participation.Projection{},
		projectiontest.Case{Name: "every_tenant", Answer: summary(participation.Query{})},
		projectiontest.Case{Name: "one_tenant", Answer: summary(participation.Query{Tenant: "menden"})},
		projectiontest.Case{Name: "one_process", Answer: summary(participation.Query{Process: "0190a000-0000-7000-8000-000000000001"})})
}
