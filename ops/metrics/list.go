package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civicflow/civicflow/domain/eventstore"
)

const day = 24 * 60 * 60

// stageBuckets are the stage duration buckets: 1, 7, 14, 30, 60, 90, 180 and 365 days.
var stageBuckets = []float64{1 * day, 7 * day, 14 * day, 30 * day, 60 * day, 90 * day, 180 * day, 365 * day}

// listCollector computes the process gauges, the stage duration histogram and the projection
// lag at scrape time from the process list and the store.
type listCollector struct {
	cfg                                  Config
	processes, stages, lagEvents, lagAge *prometheus.Desc
}

func newListCollector(cfg Config) *listCollector {
	return &listCollector{cfg: cfg,
		processes: prometheus.NewDesc(NameProcesses, "Processes in the process list, by tenant, template, current stage and status.",
			[]string{"tenant", "template", "stage", "status"}, nil),
		stages: prometheus.NewDesc(NameStageDuration, "Time processes stayed in a stage, observed for every finished stage visit (left by completion, going back, migration or closing the process); computed from the whole log, so it survives restarts.",
			[]string{"template", "stage"}, nil),
		lagEvents: prometheus.NewDesc(NameProjectionLag, "Events between the store's head and the projection's position (commit numbers; 0 when no event for the projection is pending).",
			[]string{"projection"}, nil),
		lagAge: prometheus.NewDesc(NameProjectionLagAge, "Age of the oldest event the projection has not applied yet (0 when caught up).",
			[]string{"projection"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *listCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.processes
	ch <- c.stages
	ch <- c.lagEvents
	ch <- c.lagAge
}

// Collect implements prometheus.Collector.
func (c *listCollector) Collect(ch chan<- prometheus.Metric) {
	for g, n := range c.cfg.List.Counts() {
		ch <- prometheus.MustNewConstMetric(c.processes, prometheus.GaugeValue, float64(n), g.Tenant, g.Template, g.Stage, string(g.Status))
	}
	c.collectStays(ch)
	c.collectLag(ch)
}

type stay struct{ template, stage string }

type histogram struct {
	count   uint64
	sum     float64
	buckets []uint64 // per bound of stageBuckets, not cumulative
}

func (c *listCollector) collectStays(ch chan<- prometheus.Metric) {
	hs := map[stay]*histogram{}
	c.cfg.List.EachStay(func(template, stage string, stayed time.Duration) {
		h := hs[stay{template, stage}]
		if h == nil {
			h = &histogram{buckets: make([]uint64, len(stageBuckets))}
			hs[stay{template, stage}] = h
		}
		s := stayed.Seconds()
		h.count++
		h.sum += s
		for i, b := range stageBuckets {
			if s <= b {
				h.buckets[i]++
				break
			}
		}
	})
	for k, h := range hs {
		cum, acc := make(map[float64]uint64, len(stageBuckets)), uint64(0)
		for i, b := range stageBuckets {
			acc += h.buckets[i]
			cum[b] = acc
		}
		ch <- prometheus.MustNewConstHistogram(c.stages, h.count, h.sum, cum, k.template, k.stage)
	}
}

// collectLag reports how far the process list and each read model are behind the log. A read
// model follows only some events, so its lag is zero when none of them lies after its position;
// otherwise it is the distance to the head (an upper bound: other events in between count too)
// and the age of the oldest of its events not yet applied. When the store cannot be read, the
// lag is left out.
func (c *listCollector) collectLag(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.ScrapeTimeout)
	defer cancel()
	head, err := c.cfg.Store.Head(ctx)
	if err != nil {
		return
	}
	followed := append([]Followed{{Name: "processlist", Filter: eventstore.Filter{StreamPrefixes: []string{"process-"}},
		Position: c.cfg.List.Position}}, c.cfg.ReadModels...)
	for _, f := range followed {
		pos := f.Position()
		pending, err := c.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: 1, Filter: f.Filter})
		if err != nil {
			return
		}
		events, age := 0.0, 0.0
		if len(pending) > 0 {
			events = max(float64(int64(head.Commit())-int64(pos.Commit())), 1)
			age = max(c.cfg.Now().Sub(pending[0].RecordedAt).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(c.lagEvents, prometheus.GaugeValue, events, f.Name)
		ch <- prometheus.MustNewConstMetric(c.lagAge, prometheus.GaugeValue, age, f.Name)
	}
}
