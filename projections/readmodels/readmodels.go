// Package readmodels names the SQL read models civicflow keeps: the one list that serve runs, the
// verification replays and the tests of the pages and routes that read them use.
package readmodels

import (
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/projections/stagestats"
)

// All returns every SQL read model, in a fixed order: process overview, audit timeline, stage
// statistics, participation, implementation tracker.
func All() []runner.Projection {
	return []runner.Projection{overview.Projection{}, audit.Projection{}, stagestats.Projection{},
		participation.Projection{}, implementation.Projection{}}
}
