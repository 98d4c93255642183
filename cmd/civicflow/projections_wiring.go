package main

import (
	"context"
	"log/slog"

	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/projections/stagestats"
)

// readModels are the read models kept in SQL tables of the store's file.
func readModels() []runner.Projection {
	return []runner.Projection{overview.Projection{}, audit.Projection{}, stagestats.Projection{},
		participation.Projection{}, implementation.Projection{}}
}

func newProjectionRunner(store *sqlite.Store, log *slog.Logger) (*runner.Runner, error) {
	return runner.New(runner.Config{Store: store, DB: store.ProjectionDB(), Projections: readModels(), Logger: log})
}

// startProjections runs the read models beside the server and returns the function that stops
// them (before the store closes).
func startProjections(store *sqlite.Store, log *slog.Logger) (stop func()) {
	r, err := newProjectionRunner(store, log)
	if err != nil {
		log.Error("projections not started", "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			log.Error("projections stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
