package metrics

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/projections/processlist"
)

// The metric names.
const (
	NameProcesses        = "civicflow_processes"
	NameStageDuration    = "civicflow_stage_duration_seconds"
	NameCommands         = "civicflow_commands_total"
	NameCommandDuration  = "civicflow_command_duration_seconds"
	NameEventsAppended   = "civicflow_events_appended_total"
	NameProjectionLag    = "civicflow_projection_lag_events"
	NameProjectionLagAge = "civicflow_projection_lag_seconds"
	NameSealRefusals     = "civicflow_seal_refusals_total"
	NameAuthFailures     = "civicflow_auth_failures_total"
	NameWriteLock        = "civicflow_store_write_lock_seconds"
	NameWALCheckpoint    = "civicflow_store_wal_checkpoint_seconds"
)

// Names returns the names of every civicflow metric the server exports (histograms by their
// base name; PromQL also sees <name>_bucket, _sum and _count), sorted.
func Names() []string {
	out := []string{NameProcesses, NameStageDuration, NameCommands, NameCommandDuration,
		NameEventsAppended, NameProjectionLag, NameProjectionLagAge, NameSealRefusals, NameAuthFailures, NameWriteLock, NameWALCheckpoint}
	sort.Strings(out)
	return out
}

// Log is what the metrics read from the event store.
// Followed is a read model that follows the log: its name (the label projection), the events
// it applies and how far it has applied them.
type Followed struct {
	Name     string
	Filter   eventstore.Filter
	Position func() eventstore.Position
}

type Log interface {
	// Head returns the position of the last event in the log.
	Head(ctx context.Context) (eventstore.Position, error)
	// ReadAll reads the global log (used to find the oldest event the list has not applied).
	ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.Event, error)
}

// Config configures the metrics.
type Config struct {
	// List is the process list read model. Required.
	List *processlist.List
	// Store is the event store, for the projection lag. Required.
	Store Log
	// ReadModels are the SQL read models whose lag is exported beside the process list's.
	// Default: only the process list's.
	ReadModels []Followed
	// Appended returns how many events the store has appended since it opened (a monotonic
	// count, e.g. sqlite's Stats().Events). Default: civicflow_events_appended_total is not exported.
	Appended func() int64
	// Now is the clock the lag's age is measured with. Default time.Now.
	Now func() time.Time
	// ScrapeTimeout bounds the store reads of one scrape. Default 2s.
	ScrapeTimeout time.Duration
}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	if c.List == nil {
		errs = append(errs, errors.New("metrics: List is required"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("metrics: Store is required"))
	}
	if c.ScrapeTimeout < 0 {
		errs = append(errs, errors.New("metrics: ScrapeTimeout must not be negative"))
	}
	return errors.Join(errs...)
}

// Metrics holds civicflow's registry. It is safe for concurrent use.
type Metrics struct {
	registry   *prometheus.Registry
	commands   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	refusals   prometheus.Counter
	auth       *prometheus.CounterVec
	lock       *prometheus.HistogramVec
	checkpoint prometheus.Histogram
}

// New returns the metrics with a registry holding civicflow's collectors and the Go runtime and
// process collectors.
func New(cfg Config) (*Metrics, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ScrapeTimeout == 0 {
		cfg.ScrapeTimeout = 2 * time.Second
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{Name: NameCommands,
			Help: "Process commands handled by the HTTP API, by command (action name) and result."}, []string{"command", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: NameCommandDuration,
			Help:    "Time the HTTP API took to handle a process command, including the durable commit and the wait for the process list.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"command"}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{Name: NameSealRefusals,
			Help: "Seals the server refused to sign because the log does not extend the last head of its heads file or of the database, or its chains are broken: the log was tampered with."}),
		auth: prometheus.NewCounterVec(prometheus.CounterOpts{Name: NameAuthFailures,
			Help: "Failed authentications, by surface (api: bearer token, web: sign-in form) and reason (missing, invalid, throttled)."}, []string{"surface", "reason"}),
		lock: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: NameWriteLock,
			Help:    "How long one transaction held the store's write lock, by holder (events: appends; read_models: read-model batches and rebuilds; vault: person keys, snapshots, seals; checkpoints: consumer groups). Every command waits for the holder before it.",
			Buckets: []float64{.0001, .00025, .0005, .001, .002, .005, .01, .025, .05, .1, .25, 1}}, []string{"holder"}),
		checkpoint: prometheus.NewHistogram(prometheus.HistogramOpts{Name: NameWALCheckpoint,
			Help:    "How long one background WAL checkpoint of the SQLite store took (copying committed pages into the database file and syncing it). It holds no lock, but shares the disk with the commits' syncs.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}),
	}
	for _, surface := range []string{"api", "web"} {
		for _, reason := range throttle.Reasons() {
			m.auth.WithLabelValues(surface, reason) // every series from the start, at 0
		}
	}
	cs := []prometheus.Collector{m.commands, m.latency, m.refusals, m.auth, m.lock, m.checkpoint, newListCollector(cfg),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
	if cfg.Appended != nil {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: NameEventsAppended,
			Help: "Events appended to the store since the server started (duplicates write none)."},
			func() float64 { return float64(cfg.Appended()) }))
	}
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ObserveCommand records one command's result and duration; it implements
// httpapi.CommandObserver.
func (m *Metrics) ObserveCommand(command, result string, took time.Duration) {
	m.commands.WithLabelValues(command, result).Inc()
	m.latency.WithLabelValues(command).Observe(took.Seconds())
}

// ObserveSealRefusal counts a seal the server refused to sign.
func (m *Metrics) ObserveSealRefusal() { m.refusals.Inc() }

// ObserveAuthFailure counts one failed authentication; it implements throttle.Observer.
// surface is "api" or "web", reason one of throttle.Reasons().
func (m *Metrics) ObserveAuthFailure(surface, reason string) {
	m.auth.WithLabelValues(surface, reason).Inc()
}

// ObserveWriteLock records how long holder kept the store's write lock; serve passes it to
// sqlite.Store.ObserveWriteLock.
func (m *Metrics) ObserveWriteLock(holder string, held time.Duration) {
	m.lock.WithLabelValues(holder).Observe(held.Seconds())
}

// ObserveWALCheckpoint records how long one background WAL checkpoint took; serve passes it to
// sqlite.Store.ObserveCheckpoints.
func (m *Metrics) ObserveWALCheckpoint(took time.Duration) {
	m.checkpoint.Observe(took.Seconds())
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Gatherer returns the registry, for tests and for serving it another way.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }
