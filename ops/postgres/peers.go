package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
)

// Peers is the port through which the instances that share one database tell each other about
// commits: "an instance committed the log up to position head". A Store announces each of its
// commits and wakes its idle subscriptions when another instance announces one, instead of
// waiting for their next poll. Polling every PollInterval stays: an announcement that is lost (the
// transport is down, a message dropped) only delays followers until the next poll, never loses
// an event, because a subscription always reads the log itself.
//
// Implementations: Listener (PostgreSQL LISTEN/NOTIFY on the store's own database) and
// ops/natsbus (NATS JetStream through Watermill).
type Peers interface {
	// Announce tells the other instances that this one committed the log up to head. The Store's
	// writer calls it after each commit: it must return at once (send in the background,
	// coalescing heads, and drop what cannot be sent).
	Announce(head uint64)
	// Follow calls wake with each head another instance announces (its own announcements may come
	// back too), and with 0 when announcements may have been missed (after a reconnect), until ctx
	// ends. It survives lost connections itself and returns only when ctx ends (nil) or when it
	// cannot start at all.
	Follow(ctx context.Context, wake func(head uint64)) error
}

// notifiesInCommit is implemented by Peers whose announcement is part of the commit itself (the
// writer sends pg_notify in the appending transaction); Announce is then not called.
type notifiesInCommit interface {
	// channel is the LISTEN/NOTIFY channel of schema.
	channel(schema string) string
}

// notifyChannel is the LISTEN/NOTIFY channel of the log in schema: "civicflow_events_" and the
// schema, or a hash of the schema where that would exceed PostgreSQL's 63 bytes of an identifier.
func notifyChannel(schema string) string {
	const prefix = "civicflow_events_"
	if len(prefix)+len(schema) <= 63 {
		return prefix + schema
	}
	sum := sha256.Sum256([]byte(schema))
	return prefix + hex.EncodeToString(sum[:16])
}

// committed tells the Store's subscriptions and its Peers that the writer committed up to head.
func (s *Store) committed(head uint64) {
	raise(&s.known, head)
	s.notify.broadcast()
	if s.cfg.Peers != nil {
		if _, inCommit := s.cfg.Peers.(notifiesInCommit); !inCommit {
			s.cfg.Peers.Announce(head)
		}
	}
}

// follow runs the peers' Follow until the Store closes; wake-ups for heads this Store already
// knows (its own commits, announced back) are dropped.
func (s *Store) follow(ctx context.Context) {
	defer close(s.followed)
	s.cfg.Peers.Follow(ctx, func(head uint64) {
		if head != 0 && !raise(&s.known, head) {
			return
		}
		s.notify.broadcast()
	})
}

// raise sets v to head if head is greater and reports whether it did.
func raise(v *atomic.Uint64, head uint64) bool {
	for {
		old := v.Load()
		if head <= old {
			return false
		}
		if v.CompareAndSwap(old, head) {
			return true
		}
	}
}
