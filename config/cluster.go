package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Cluster configures several "serve" instances on one PostgreSQL store (store.backend:
// postgres): which instance this is, and the leases that give each piece of work that must be
// done once (read models, seals, timers, webhooks and e-mail, the process list's snapshot) to one
// instance at a time (ops/lease). On SQLite there is one instance and these keys do nothing.
type Cluster struct {
	// Instance names this instance in the log, in /metrics (civicflow_lease_held) and in
	// PostgreSQL's pg_stat_activity ("civicflow lease <instance>"). Default "": the host name and
	// the process ID. Letters, digits, '.', '_' and '-', at most 48.
	Instance string `mapstructure:"instance"`
	// LeaseInterval paces the leases: every half of it an instance tries to take a free lease and
	// a holder checks its PostgreSQL session (a check slower than LeaseInterval loses the
	// leases); a new holder starts the work 2×LeaseInterval after taking the lease, so a takeover
	// after a holder's process died takes at most 2.5×LeaseInterval. Default 1s; between 100ms
	// and 10s.
	LeaseInterval time.Duration `mapstructure:"lease_interval"`
	// Notify is how an instance learns at once that another one committed events: "listen"
	// (default; PostgreSQL LISTEN/NOTIFY on the store's database), "nats" (NATS JetStream at
	// cluster.nats.url) or "poll" (nothing but polling the log every 250 ms). Polling stays the
	// fallback of the other two. Read only when store.backend is "postgres".
	Notify string `mapstructure:"notify"`
	// NATS configures the NATS server; read only when Notify is "nats".
	NATS NATS `mapstructure:"nats"`
}

var instanceName = regexp.MustCompile(`^[A-Za-z0-9._-]{0,48}$`)

func defaultCluster() Cluster { return Cluster{LeaseInterval: time.Second, Notify: NotifyListen} }

func (c Cluster) validate(check func(key string, err error)) {
	if !instanceName.MatchString(c.Instance) {
		check("cluster.instance", fmt.Errorf("%q: only letters, digits, '.', '_' and '-', at most 48", c.Instance))
	}
	if c.LeaseInterval < 100*time.Millisecond || c.LeaseInterval > 10*time.Second {
		check("cluster.lease_interval", fmt.Errorf("must be between 100ms and 10s, got %s", c.LeaseInterval))
	}
}

// NATS configures the connection to a NATS server with JetStream.
type NATS struct {
	// URL is the server, nats://host:port, or several of one cluster separated by commas.
	// Default "": required when cluster.notify is "nats" (on store.backend "postgres").
	URL string `mapstructure:"url"`
}

// Values of cluster.notify.
const (
	NotifyListen = "listen"
	NotifyNATS   = "nats"
	NotifyPoll   = "poll"
)

var notifyModes = []string{NotifyListen, NotifyNATS, NotifyPoll}

// validateNotify checks cluster.notify and cluster.nats; backend is store.backend.
func (c Cluster) validateNotify(backend string, check func(key string, err error)) {
	check("cluster.notify", oneOf(c.Notify, notifyModes))
	if c.Notify == NotifyNATS && backend == "postgres" {
		check("cluster.nats.url", natsURL(c.NATS.URL))
	}
}

// natsURL checks a NATS server list. The value is never repeated in the problem: it may hold a
// password or token.
func natsURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New(`must be set when cluster.notify is "nats" (nats://host:4222)`)
	}
	for i, s := range strings.Split(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" || (u.Scheme != "nats" && u.Scheme != "tls") {
			return fmt.Errorf("server %d is not nats://host:port or tls://host:port (the value is not shown: it may hold a password)", i+1)
		}
	}
	return nil
}
