package config

import (
	"fmt"
	"regexp"
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
	// LeaseInterval is how often an instance tries to take a free lease and a holder checks its
	// PostgreSQL session; a new holder starts the work 2×LeaseInterval after taking the lease, so
	// a takeover after a holder's process died takes at most 3×LeaseInterval. Default 1s;
	// between 100ms and 10s.
	LeaseInterval time.Duration `mapstructure:"lease_interval"`
}

var instanceName = regexp.MustCompile(`^[A-Za-z0-9._-]{0,48}$`)

func defaultCluster() Cluster { return Cluster{LeaseInterval: time.Second} }

func (c Cluster) validate(check func(key string, err error)) {
	if !instanceName.MatchString(c.Instance) {
		check("cluster.instance", fmt.Errorf("%q: only letters, digits, '.', '_' and '-', at most 48", c.Instance))
	}
	if c.LeaseInterval < 100*time.Millisecond || c.LeaseInterval > 10*time.Second {
		check("cluster.lease_interval", fmt.Errorf("must be between 100ms and 10s, got %s", c.LeaseInterval))
	}
}
