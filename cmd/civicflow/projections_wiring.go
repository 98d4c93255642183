package main

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/projections/readmodels"
	"github.com/civicflow/civicflow/projections/runner"
)

// readModels are the read models kept in SQL tables of the store's file.
func readModels() []runner.Projection { return readmodels.All() }

// newProjectionRunner returns the runner of the read models, fed by Watermill: a Follow of
// messaging's Subscriber (no consumer group) after each read model's own checkpoint.
func newProjectionRunner(st *storage.Storage, log *slog.Logger) (*runner.Runner, error) {
	sub, err := messaging.NewSubscriber(st.Log, messaging.SubscriberConfig{Logger: watermill.NewSlogLogger(log)})
	if err != nil {
		return nil, err
	}
	source, err := messaging.NewSource(sub, projectionBatch)
	if err != nil {
		return nil, err
	}
	return runner.New(runner.Config{Store: st.Log, Source: source, DB: st.ReadModels.Write, Dialect: st.ReadModels.Dialect, Projections: readModels(),
		BatchSize: projectionBatch, Logger: log})
}

// projectionBatch is the most events a read model applies in one transaction, and so how many
// messages its Follow delivers ahead of the acknowledgements.
const projectionBatch = 1000

// followed describes the read models for the lag metrics and the readiness check, each at the
// position pos reports.
func followed(pos func(name string) eventstore.Position) []metrics.Followed {
	var out []metrics.Followed
	for _, p := range readModels() {
		out = append(out, metrics.Followed{Name: p.Name(), Filter: p.Filter(),
			Position: func() eventstore.Position { return pos(p.Name()) }})
	}
	return out
}
