// Package runner keeps read models in SQL tables current from the global event log. Each read
// model is a Projection; the runner feeds it the log from its checkpoint through a Source (serve's
// is ops/messaging's, over Watermill; StoreSource reads the store directly) and, for every batch,
// applies the events and saves the checkpoint (the position of the last applied event) in one
// transaction, then acknowledges the deliveries. Events delivered again are skipped. A batch that fails is rolled back as a whole and
// retried with backoff, so a read model only ever holds a contiguous prefix of the log: no event
// is applied twice or skipped, across restarts and crashes.
//
// A read model's tables are named "<name>_v<build>_…": a rebuild builds a new set beside the
// running one, catches it up and switches readers to it in one transaction by updating the
// projection_versions row (see Rebuild). Readers resolve the active tables with Active.
//
//	r, err := runner.New(runner.Config{Store: store, DB: store.ProjectionDB(), Projections: []runner.Projection{overview.New()}})
//	go r.Run(ctx)
//	pos := r.Position("process_overview")
package runner
