package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/natsbus"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// newServeCmd returns "civicflow serve".
func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Server starten / run the server",
		Long: `Startet den HTTP-Server (API, /healthz, /readyz, /metrics) auf dem eingebetteten Speicher.
Mit --demo werden in einem leeren Speicher Vorlagen, Mandanten, Nutzer:innen mit Tokens und
etwa zwanzig Beispielverfahren angelegt; die Tokens stehen einmalig in der Datei, deren Pfad
protokolliert wird. Mit --demo lauscht der Server nur auf 127.0.0.1:8080, solange keine Adresse
(--addr, CIVICFLOW_SERVER_ADDR, server.addr in der Datei) gewählt ist.

Runs the HTTP server (API, /healthz, /readyz, /metrics) on the embedded store. With --demo, an empty
store gets the templates, demo tenants, users with tokens and about twenty demo processes; the
tokens are written once to a file whose path is logged. With --demo the server listens on
127.0.0.1:8080 only, unless an address is chosen (--addr, CIVICFLOW_SERVER_ADDR, server.addr in the
file). A taken address fails the start before anything is written.`,
		Example: "  civicflow serve --demo\n  civicflow serve --addr :9090 --db /var/lib/civicflow/civicflow.db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, demo, err := serveConfig(cmd)
			if err != nil {
				return err
			}
			offset, err := clockOffset(cmd)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), cfg, demo, offset, newLogger(cfg, cmd.ErrOrStderr()))
		},
	}
	cmd.Flags().String("addr", "", "Adresse / listen `ADDR` (Standard / default: server.addr, :8080; mit / with --demo 127.0.0.1:8080)")
	cmd.Flags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	cmd.Flags().Bool("demo", false, "Demodaten in einem leeren Speicher anlegen / load demo data into an empty store")
	cmd.Flags().String("clock-offset", "", "Uhr verschieben, nur mit --demo / shift the clock by `DURATION` (31d, 36h), only with --demo")
	return cmd
}

func newLogger(cfg config.Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// shiftClock is the wall clock moved by an offset: the demo loader runs it in the past so that
// demo processes have histories of weeks and months, then it returns to the present.
type shiftClock struct {
	mu     sync.Mutex
	offset time.Duration
	ahead  time.Duration // --clock-offset, set after the demo is loaded
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset + c.ahead)
}

// SetAhead shifts the clock by d from then on (serve --demo --clock-offset).
func (c *shiftClock) SetAhead(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead = d
}

func (c *shiftClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = min(c.offset+d, 0)
}

// app is everything serve wires together.
type app struct {
	store  *storage.Storage
	engine *engine.Engine
	tokens *tokens.Registry
	list   *processlist.List
	clock  *shiftClock
	outbox *natsbus.Outbox // the webhooks' and e-mail's queues on NATS (cluster.notify: nats); nil: none
	peers  postgres.Peers  // how the store learns of other instances' commits (cluster.notify); nil: polling
}

// openApp opens the configured backend, refusing it (before anything is opened) when it does not
// provide every part serve needs, and wires the engine on its ports.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	if err := storage.Check(cfg.Store.Backend, storage.Serve...); err != nil {
		return nil, &usageError{err}
	}
	a := &app{clock: &shiftClock{}}
	peers, err := clusterPeers(cfg, log)
	if err != nil {
		return nil, err
	}
	a.peers = peers
	st, err := storage.Open(ctx, storage.Config{Store: cfg.Store, Clock: a.clock.Now, Peers: peers, ServerLock: true})
	if errors.Is(err, sqlite.ErrServed) {
		return nil, fmt.Errorf("ein anderer civicflow-Server hat %s geöffnet, nichts wurde geändert; eine SQLite-Datei bedient ein Server, mehrere Instanzen brauchen store.backend postgres / "+
			"another civicflow server has %s open, nothing was changed; one server serves a SQLite file, several instances need store.backend postgres: %w",
			cfg.Store.SQLite.Path, cfg.Store.SQLite.Path, err)
	}
	if err != nil {
		return nil, err
	}
	if err := st.Require(storage.Serve...); err != nil {
		return nil, errors.Join(&usageError{err}, st.Close())
	}
	gates, err := gate.New()
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	eng, err := engine.New(engine.Config{Store: st.Log, Vault: st.Vault, Gates: gates, Clock: a.clock.Now, Snapshots: st.Snapshots, Archive: st.Archive,
		SoleWriter: st.SoleWriter})
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	a.store, a.engine, a.tokens, a.list = st, eng, tokens.New(st.Log, a.clock.Now), processlist.New()
	return a, nil
}

func serve(ctx context.Context, cfg config.Config, demo bool, offset time.Duration, log *slog.Logger) error {
	// First, so that a taken port fails the start before anything (store, demo, keys) is written.
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (nothing was written): %w", cfg.Server.Addr, err)
	}
	defer ln.Close()
	stopDebug, err := startDebug(cfg.Server.DebugAddr, log)
	if err != nil {
		return err
	}
	defer stopDebug()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.store.Close()
	if a.outbox, err = notifyOutbox(cfg); err != nil {
		return err
	}
	if a.outbox != nil {
		defer a.outbox.Close() // after the routers that use it stopped
	}
	var demoUsers []web.DemoUser
	if demo {
		// First, so that the demo's templates and histories are recorded at their past times (the
		// store's recorded-at never goes back).
		if demoUsers, err = loadDemo(ctx, a, cfg, log); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if offset != 0 {
			a.clock.SetAhead(offset)
			log.Warn("the clock is shifted (demo only)", "clock_offset", offset, "now", a.clock.Now())
		}
	}
	system := process.Meta{Actor: process.Actor{User: "civicflow", Role: "administrator", Tenant: tokens.Installation, Installation: true}}
	if _, err := a.engine.PublishSeeds(ctx, system); err != nil {
		return fmt.Errorf("publish the embedded templates: %w", err)
	}
	readModels, err := newProjectionRunner(a.store, log)
	if err != nil {
		return fmt.Errorf("read models: %w", err)
	}
	leases, err := newLeases(cfg, log)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	positions := newReadModelPositions(readModels, a.store.ReadModels.Read, leases)
	mcfg := metrics.Config{List: a.list, Store: a.store.Log, ReadModels: followed(positions.Position)}
	if db := a.store.SQLite; db != nil {
		mcfg.Appended = func() int64 { return db.Stats().Events }
	}
	m, err := metrics.New(mcfg)
	if err != nil {
		return err
	}
	if db := a.store.SQLite; db != nil {
		db.ObserveWriteLock(m.ObserveWriteLock)
		db.ObserveCheckpoints(func(took time.Duration, walPages, copied int) {
			m.ObserveWALCheckpoint(took)
			if took >= slowCheckpoint {
				log.Info("store: slow WAL checkpoint", "took", took.Round(time.Millisecond), "wal_pages", walPages, "copied", copied)
			}
		})
	}
	if err := registerClusterMetrics(m, cfg, a, log); err != nil {
		return err
	}
	restoreList(ctx, a, cfg.Server, log)
	hooks, err := webhooks(cfg, a.clock.Now)
	if err != nil {
		return err
	}
	mail, err := mailer(cfg, a.clock.Now)
	if err != nil {
		return err
	}
	if err := m.RegisterDeadLetters(func() int { return deadLetterCount(a.store.Log, log) }); err != nil {
		return err
	}
	sealing, err := newSealing(a.store, cfg, m, log)
	if err != nil {
		return fmt.Errorf("seals: %w", err)
	}
	// The works done once (by this instance on SQLite; by the holder of each lease among the
	// instances on PostgreSQL): read models, seals, timers, notifications, the list's snapshot.
	if err := serveWork(leases, a, readModels, sealing, m, hooks, mail, log); err != nil {
		return err
	}
	// Deferred before the router's stop, so that the works (the list snapshot's last save among
	// them) stop after the router that feeds the list stopped.
	defer startLeases(leases, log)()
	// Every instance's process list follows the log.
	stopRouter, err := startRouter(a.store.Log, a.list, m, log)
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	defer stopRouter()
	// With cluster.notify nats, every instance delivers webhooks and e-mail from their NATS queues.
	stopOutbox, err := startOutboxDelivery(a, a.outbox, m, log, hooks, mail)
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	defer stopOutbox()
	// One guard for the API's bearer tokens and the dashboard's sign-in: a guesser gets no more
	// tries by switching between them.
	guard, err := throttle.New(throttle.Config{Logger: log, Observer: m})
	if err != nil {
		return err
	}
	// The API and the dashboard's auditor pages verify and report with the same functions.
	seals, verifier := reportSeals(a.store, cfg, log), apiVerifier(a.store, cfg, log)
	notifiers := &notify.Notifiers{Webhooks: hooks, Mailer: mail, Clock: a.clock.Now}
	api, err := httpapi.New(httpapi.Config{Engine: a.engine, Store: a.store.Log, Tokens: a.tokens, List: a.list, Guard: guard,
		MaxBodyBytes: int64(cfg.Server.MaxBodyBytes), Logger: log, Ready: readyAll(readiness(a, positions.Position, cfg.Server.ReadyMaxLag), sealing.Ready), Metrics: m, Clock: a.clock.Now,
		Seals: seals, Verifier: verifier, ReadModels: a.store.ReadModels.Read,
		Heads: headsfile.New(cfg.Audit.HeadsPath()).All, Notifiers: notifiers})
	if err != nil {
		return err
	}
	// /metrics is the operator's, beside the API (not part of its OpenAPI description).
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	if err := mountHTTP(mux, a, api, guard, demoUsers, cfg.Server.AccessibilityContact, auditing{verifier, seals, notifiers}, webOIDC(cfg.Auth.OIDC), log); err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("civicflow serving", append([]any{"addr", ln.Addr().String()}, append(storeAttrs(cfg), "demo", demo)...)...)
	printDemoLinks(log, ln.Addr(), demoUsers)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("civicflow shutting down: finishing requests", "timeout", cfg.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	saveSnapshotsAtStop(a.engine, log)
	log.Info("civicflow stopped")
	return nil
}

// snapshotAtStopEvents is how far a cached process must have grown since its latest snapshot
// for a clean stop to save one: a tenth of the engine's SnapshotEvery.
const snapshotAtStopEvents = 50

// slowCheckpoint is how long a background WAL checkpoint of the SQLite store may take before serve
// logs it: the commits' syncs share the disk with it, so a long one can stall every command.
const slowCheckpoint = 100 * time.Millisecond

// saveSnapshotsAtStop saves snapshots of the cached processes that grew by snapshotAtStopEvents
// or more since their latest one, so that after the next start their first command replays
// fewer events than that instead of up to 500 (engine.SaveSnapshots). A failure costs only
// those replays, so it is logged, not returned.
func saveSnapshotsAtStop(eng *engine.Engine, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	n, err := eng.SaveSnapshots(ctx, snapshotAtStopEvents)
	if err != nil {
		log.Warn("civicflow: snapshots at stop", "saved", n, "err", err)
		return
	}
	log.Info("civicflow: snapshots at stop", "saved", n, "took", time.Since(start).Round(time.Millisecond))
}

// readiness reports the store reachable and neither the process list nor any SQL read model more
// than maxLag of its own events behind the log. Only the events each follows count: its position
// stays at the last of them while other events (tokens, audit records) are written. A read
// model's position is pos's: on an instance that does not build the read models, the checkpoint
// in the shared database.
func readiness(a *app, pos func(name string) eventstore.Position, maxLag int) func(context.Context) error {
	list := metrics.Followed{Name: "the process list", Filter: eventstore.Filter{StreamPrefixes: []string{"process-"}}, Position: a.list.Position}
	return func(ctx context.Context) error {
		for _, f := range append([]metrics.Followed{list}, followed(pos)...) {
			waiting, err := a.store.Log.ReadAll(ctx, eventstore.ReadAllOptions{After: f.Position(), Limit: maxLag + 1, Filter: f.Filter})
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if len(waiting) > maxLag {
				return fmt.Errorf("%s is more than %d events behind the log", f.Name, maxLag)
			}
		}
		return nil
	}
}
