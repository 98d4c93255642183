package metrics

import "github.com/prometheus/client_golang/prometheus"

// NameDeadLetters is the gauge of notifications that failed after every retry and were not
// replayed.
const NameDeadLetters = "civicflow_notification_dead_letters"

// NotifyNames returns the names of the notification metrics.
func NotifyNames() []string { return []string{NameDeadLetters} }

// RegisterDeadLetters exports the dead letters of notifications, counted by count when scraped
// (-1 when they cannot be read).
func (m *Metrics) RegisterDeadLetters(count func() int) error {
	return m.registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameDeadLetters,
		Help: "Webhook and e-mail notifications that failed after every retry and were not replayed."},
		func() float64 { return float64(count()) }))
}
