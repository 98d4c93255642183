package metrics

import "github.com/prometheus/client_golang/prometheus"

// NameClusterNotifyConnected is the gauge of the connection through which this instance learns of
// other instances' commits (cluster.notify).
const NameClusterNotifyConnected = "civicflow_cluster_notify_connected"

// ClusterNames returns the names of the cluster metrics.
func ClusterNames() []string { return []string{NameClusterNotifyConnected} }

// RegisterClusterNotify exports 1 while the transport (the value of cluster.notify: "listen",
// "nats") is connected and 0 while it is not: other instances' commits then reach this one by
// polling only (read when scraped).
func (m *Metrics) RegisterClusterNotify(transport string, connected func() bool) error {
	return m.registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameClusterNotifyConnected,
		Help:        "1 while the connection that tells this instance of other instances' commits (cluster.notify) is up; 0: it polls.",
		ConstLabels: prometheus.Labels{"transport": transport}},
		func() float64 {
			if connected() {
				return 1
			}
			return 0
		}))
}
