package main

import (
	"log/slog"
	"sync"
	"time"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/natsbus"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/storage"
)

// clusterPeers returns how the PostgreSQL store learns of other instances' commits, as
// cluster.notify chooses: a LISTEN/NOTIFY Listener, NATS Heads (an io.Closer; the storage closes it
// after the store) or nil (polling). On another backend the key does not apply: the log says so
// when it is set to anything but the default.
func clusterPeers(cfg config.Config, log *slog.Logger) (postgres.Peers, error) {
	c := cfg.Cluster
	if cfg.Store.Backend != storage.Postgres {
		if c.Notify != config.Default().Cluster.Notify || c.NATS.URL != "" {
			log.Info("cluster.notify and cluster.nats are ignored: they are for several instances on store.backend postgres",
				"backend", cfg.Store.Backend, "cluster.notify", c.Notify)
		}
		return nil, nil
	}
	onError := rateLimited(log, time.Minute)
	switch c.Notify {
	case config.NotifyListen:
		return postgres.NewListener(postgres.ListenerConfig{URL: cfg.Store.Postgres.URL, Schema: cfg.Store.Postgres.Schema, OnError: onError})
	case config.NotifyNATS:
		h, err := natsbus.NewHeads(natsbus.HeadsConfig{URL: c.NATS.URL, Topic: "civicflow_heads_" + cfg.Store.Postgres.Schema, OnError: onError})
		if err != nil {
			return nil, &config.KeyError{Key: "cluster.nats.url", Err: err}
		}
		return h, nil
	}
	return nil, nil // poll
}

// rateLimited logs the transport's errors as warnings, at most one per interval: during an
// outage it retries every second and the followers poll meanwhile.
func rateLimited(log *slog.Logger, interval time.Duration) func(error) {
	var mu sync.Mutex
	var last time.Time
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < interval {
			return
		}
		last = time.Now()
		log.Warn("cluster.notify: other instances' commits are seen by polling until the connection is back", "err", err)
	}
}

// registerClusterMetrics exports whether the cluster.notify transport is connected
// (civicflow_cluster_notify_connected), when there is one, and with notifications over NATS how
// many wait on each handler's queue (civicflow_notify_queue_pending).
func registerClusterMetrics(m *metrics.Metrics, cfg config.Config, a *app, log *slog.Logger) error {
	if c, ok := a.peers.(interface{ Connected() bool }); ok {
		if err := m.RegisterClusterNotify(cfg.Cluster.Notify, c.Connected); err != nil {
			return err
		}
	}
	if a.outbox == nil {
		return nil
	}
	var handlers []string
	if cfg.Notify.WebhooksFile != "" {
		handlers = append(handlers, notify.Handler)
	}
	if cfg.Notify.MailFile != "" {
		handlers = append(handlers, notify.MailHandler)
	}
	return m.RegisterNotifyQueues(handlers, func(h string) int {
		n, err := a.outbox.Pending(h)
		if err != nil {
			log.Warn("metrics: notification queue", "handler", h, "err", err)
			return -1
		}
		return n
	})
}
