package sqlite

import (
	"bytes"
	"sync"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// tailEvents is how many of the most recently committed events the store keeps in memory for its
// subscriptions.
const tailEvents = 4096

// tail holds the events this process's writer committed last, so that live subscriptions take new
// events from memory instead of each querying the database after every commit. It is exact: it
// covers the positions (from, last] completely, because the writer adds every batch it commits and
// starts afresh when another connection appended in between. Everything else comes from the
// database, as before.
type tail struct {
	mu     sync.RWMutex
	events []eventstore.Event // a ring of at most tailEvents, oldest at start
	start  int
	from   int64 // positions after from up to last are all in events
	last   int64
	valid  bool
}

// add records a committed batch whose events follow position prev; the tail keeps the events
// (the writer hands over events nobody else changes). When prev is not the tail's last position
// (first batch, or another connection appended), the tail starts afresh at prev.
func (t *tail) add(prev int64, events []eventstore.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.valid || prev != t.last {
		t.events, t.start, t.from, t.last, t.valid = t.events[:0], 0, prev, prev, true
	}
	for _, e := range events {
		if len(t.events) < tailEvents {
			t.events = append(t.events, e)
		} else {
			t.events[t.start] = e
			t.start = (t.start + 1) % tailEvents
			t.from = int64(t.events[t.start].Position.Commit()) - 1
		}
		t.last = int64(e.Position.Commit())
	}
}

// read returns up to limit events after position after that pass the filter, and the tail's last
// position; ok is false when the tail does not cover after (the caller reads the database).
func (t *tail) read(after int64, f eventstore.Filter, limit int) (events []eventstore.Event, last int64, ok bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.valid || after < t.from || after > t.last {
		return nil, 0, false
	}
	n := len(t.events)
	// The event at position after+1 is at ring index after-from (positions are contiguous).
	for i := int(after - t.from); i < n && len(events) < limit; i++ {
		e := t.events[(t.start+i)%n]
		if !f.Matches(e.Stream, e.Type) {
			continue
		}
		e.Data = bytes.Clone(e.Data) // each reader gets its own payload
		events = append(events, e)
	}
	if len(events) == limit {
		// The caller must not skip past what it has not seen.
		return events, int64(events[len(events)-1].Position.Commit()), true
	}
	return events, t.last, true
}
