package main

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/lease"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/projections/runner"
)

// The leases of serve: each names a work that one instance at a time does (ops/lease); they are
// the values of the label "lease" of civicflow_lease_held.
const (
	leaseReadModels   = "read_models"   // the projection runner: the SQL read models and their checkpoints
	leaseSeals        = "seals"         // the signed tree heads
	leaseTimers       = "timers"        // the timer scheduler, which fires the ends of periods
	leaseNotify       = "notify"        // webhooks and e-mail (consumer groups with shared checkpoints)
	leaseListSnapshot = "list_snapshot" // the process list's snapshot (every instance's list follows the log)
)

// newLeases returns serve's lease manager: on PostgreSQL (the store, or EventStoreDB's companion)
// the instances on the schema share the leases; on SQLite (one instance) this one holds them all
// from the start.
func newLeases(cfg config.Config, log *slog.Logger) (*lease.Manager, error) {
	lc := lease.Config{Instance: cfg.Cluster.Instance, Interval: cfg.Cluster.LeaseInterval, Logger: log}
	lc.URL, lc.Scope = leaseScope(cfg)
	return lease.New(lc)
}

// startLeases runs the lease manager until the returned stop, which stops every work and
// releases the leases.
func startLeases(m *lease.Manager, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(ctx); err != nil {
			log.Error("leases stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// serveWork adds serve's works to the lease manager: the read models, the seals (unless off),
// the timers, the notifications (when configured) and the process list's snapshot.
func serveWork(leases *lease.Manager, a *app, r *runner.Runner, s *sealing, m *metrics.Metrics, hooks *notify.Webhooks, mail *notify.Mailer, log *slog.Logger) error {
	timers, err := timerWork(a, m, log)
	if err != nil {
		return err
	}
	works := map[string]lease.Work{
		leaseReadModels:   r.Run,
		leaseTimers:       timers,
		leaseListSnapshot: listSnapshotWork(a, log),
	}
	if s != nil {
		works[leaseSeals] = s.run
	}
	if hooks != nil || mail != nil {
		works[leaseNotify] = func(ctx context.Context) error {
			stop, err := startRouter(a.store.Log, nil, m, log, func(r *message.Router) (func(), error) {
				if a.outbox != nil { // cluster.notify nats: forwarded to NATS, delivered by every instance
					return forwardNotify(r, a.store, a.outbox, hooks, mail)
				}
				return addNotify(r, a.store, hooks, mail)
			})
			if err != nil {
				return err
			}
			<-ctx.Done()
			stop()
			return nil
		}
	}
	for _, name := range []string{leaseReadModels, leaseSeals, leaseTimers, leaseNotify, leaseListSnapshot} {
		if w, ok := works[name]; ok {
			if err := leases.Add(name, w); err != nil {
				return err
			}
		}
	}
	return m.RegisterLeases(leases.Names(), leases.Held)
}

// readModelPositions tells how far each SQL read model is: the runner's own position while this
// instance builds them, else the checkpoint the building instance committed in the shared
// database (so that /readyz and the lag metrics of an instance that does not build the read
// models report the ones its reads are served from).
type readModelPositions struct {
	runner *runner.Runner
	db     *sql.DB
	leases *lease.Manager

	mu   sync.Mutex
	last map[string]eventstore.Position // the last checkpoint read, kept when a read fails
}

func newReadModelPositions(r *runner.Runner, db *sql.DB, leases *lease.Manager) *readModelPositions {
	return &readModelPositions{runner: r, db: db, leases: leases, last: map[string]eventstore.Position{}}
}

// Position returns the named read model's position.
func (p *readModelPositions) Position(name string) eventstore.Position {
	if p.leases.Held(leaseReadModels) {
		return p.runner.Position(name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, pos, err := runner.Active(ctx, p.db, name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.last[name] = pos
	}
	return p.last[name]
}
