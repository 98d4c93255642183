package metrics

import "github.com/prometheus/client_golang/prometheus"

// NameLeaseHeld is the gauge of the works this instance does under a lease (ops/lease).
const NameLeaseHeld = "civicflow_lease_held"

// LeaseNames returns the names of the lease metrics.
func LeaseNames() []string { return []string{NameLeaseHeld} }

// RegisterLeases exports, for each lease name, 1 while this instance does its work and 0 while
// another instance does (read when scraped). Summed over the instances, each lease is 1 (0 for
// at most a few lease intervals after its holder died).
func (m *Metrics) RegisterLeases(names []string, held func(name string) bool) error {
	for _, n := range names {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameLeaseHeld,
			Help:        "1 while this instance does the work of the lease (read models, seals, timers, notify, list snapshot), else 0.",
			ConstLabels: prometheus.Labels{"lease": n}},
			func() float64 {
				if held(n) {
					return 1
				}
				return 0
			})
		if err := m.registry.Register(g); err != nil {
			return err
		}
	}
	return nil
}
