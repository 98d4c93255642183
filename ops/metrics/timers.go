package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The timer metric names.
const (
	NameTimersPending = "civicflow_timers_pending"
	NameTimersOverdue = "civicflow_timers_overdue"
	NameTimersFired   = "civicflow_timers_fired_total"
	NameTimerDelay    = "civicflow_timer_delay_seconds"
)

// TimerNames returns the names of the timer metrics a server with a timer scheduler exports.
func TimerNames() []string {
	return []string{NameTimerDelay, NameTimersFired, NameTimersOverdue, NameTimersPending}
}

// Timers are the metrics of the timer scheduler (workflows/timers).
type Timers struct {
	fired *prometheus.CounterVec
	delay prometheus.Histogram
}

// RegisterTimers exports the pending and overdue timers (read when scraped) and returns the
// observer of fired timers.
func (m *Metrics) RegisterTimers(pending, overdue func() int) (*Timers, error) {
	t := &Timers{
		fired: prometheus.NewCounterVec(prometheus.CounterOpts{Name: NameTimersFired,
			Help: "Timers fired (the end of a legal period recorded), by whether they fired late (more than a minute after their time)."}, []string{"late"}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{Name: NameTimerDelay,
			Help:    "How long after its time a timer fired.",
			Buckets: []float64{.01, .1, .5, 1, 5, 60, 600, 3600, 86400}}),
	}
	for _, c := range []prometheus.Collector{t.fired, t.delay,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameTimersPending, Help: "Timers waiting for their time."},
			func() float64 { return float64(pending()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameTimersOverdue, Help: "Timers whose time has passed and that have not fired yet."},
			func() float64 { return float64(overdue()) }),
	} {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Fired records a timer fired late after its time.
func (t *Timers) Fired(late time.Duration) {
	label := "false"
	if late > time.Minute {
		label = "true"
	}
	t.fired.WithLabelValues(label).Inc()
	t.delay.Observe(max(late, 0).Seconds())
}
