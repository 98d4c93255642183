package metrics

import "github.com/prometheus/client_golang/prometheus"

// NameClusterNotifyConnected is the gauge of the connection through which this instance learns of
// other instances' commits (cluster.notify).
const NameClusterNotifyConnected = "civicflow_cluster_notify_connected"

// NameNotifyQueuePending is the gauge of the notifications waiting on their NATS queues.
const NameNotifyQueuePending = "civicflow_notify_queue_pending"

// ClusterNames returns the names of the cluster metrics.
func ClusterNames() []string { return []string{NameClusterNotifyConnected, NameNotifyQueuePending} }

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

// RegisterNotifyQueues exports, for each notification handler ("notify", "notify_mail"), how many
// of its messages wait on their NATS queue for an instance or its acknowledgement (cluster.notify
// nats; read from the server when scraped, -1 when it cannot be read).
func (m *Metrics) RegisterNotifyQueues(handlers []string, pending func(handler string) int) error {
	for _, h := range handlers {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: NameNotifyQueuePending,
			Help:        "Webhook and e-mail notifications waiting on their NATS queue for an instance or its acknowledgement (cluster.notify nats); -1: unreadable.",
			ConstLabels: prometheus.Labels{"handler": h}},
			func() float64 { return float64(pending(h)) })
		if err := m.registry.Register(g); err != nil {
			return err
		}
	}
	return nil
}
