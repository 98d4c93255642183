// Package lease gives each piece of work that must be done by one civicflow instance at a time
// (building the SQL read models, sealing the log, firing timers, delivering webhooks and e-mail,
// saving the process list's snapshot) to exactly one of several instances that share a
// PostgreSQL database, and hands it to another within seconds when its holder dies.
//
// A lease is a PostgreSQL session-level advisory lock, taken on one connection of its own per
// instance (not a pooled one). The server releases it when that session ends: at once when the
// holder's process dies (the kernel closes its socket), after the TCP keepalive set on the
// connection (about 8 s) when its machine or network fails. No clock, no expiry to renew and no
// row to write: a lease cannot outlive its holder's session, and a live session cannot lose it.
//
// Every Interval/2 a waiting instance tries to take the leases it lacks, and a holder checks that
// its session is alive (a failed round trip, or one slower than Interval: every lease is lost and
// its work cancelled), so a holder notices within 1.5×Interval. A new holder starts the work only
// 2×Interval after taking the lease, by when the previous holder, whose session ended before, has
// noticed and cancelled its own: the works of two instances do not overlap unless a holder is
// paused for longer than that (then the work's own writes must be fenced: the read models'
// batches compare their checkpoint in the same transaction). A takeover after the holder's
// process died takes at most 2.5×Interval.
//
//	m, err := lease.New(lease.Config{URL: url, Scope: schema, Instance: "web-1"})
//	m.Add("read_models", func(ctx context.Context) error { return runner.Run(ctx) })
//	go m.Run(ctx) // until ctx ends: the works stop, then the leases are released
//
// With no URL (SQLite: one instance) every lease is held from the start.
package lease
