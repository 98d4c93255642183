package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// scrubber removes erased keys' old page images from the WAL: a truncating checkpoint copies the
// WAL into the database file (where secure_delete has zeroed the rows) and empties it. Such a
// checkpoint can only finish when no reader holds a snapshot older than the WAL's end, and SQLite
// makes it wait for readers while it holds the write lock: with a long reader that stalled every
// command for seconds. So the scrubber never waits. It tries on a connection of its own with no
// busy timeout, holding the store's write mutex only for the copying, and when a reader is in the
// way it tries again later (after 10 ms, doubling up to a second) until it succeeds.
type scrubber struct {
	db   *sql.DB     // busy timeout 0: a checkpoint blocked by a reader or writer returns at once
	lock *sync.Mutex // the store's write mutex

	mu        sync.Mutex
	requested int64         // scrubs asked for
	done      int64         // requested when the last successful scrub began
	changed   chan struct{} // closed when done moves
	wake      chan struct{}
	quit      chan struct{}
	stopped   chan struct{}
}

func newScrubber(db *sql.DB, lock *sync.Mutex) *scrubber {
	sc := &scrubber{db: db, lock: lock, changed: make(chan struct{}), wake: make(chan struct{}, 1),
		quit: make(chan struct{}), stopped: make(chan struct{})}
	go sc.run()
	return sc
}

// request asks for a scrub of everything written so far and makes one attempt at once; when a
// reader is in the way, the background loop takes over.
func (sc *scrubber) request(ctx context.Context) {
	sc.mu.Lock()
	sc.requested++
	target := sc.requested
	sc.mu.Unlock()
	if ok, _ := sc.truncate(ctx); ok {
		sc.finished(target)
		return
	}
	select {
	case sc.wake <- struct{}{}:
	default: // already awake
	}
}

func (sc *scrubber) run() {
	defer close(sc.stopped)
	for {
		select {
		case <-sc.quit:
			return
		case <-sc.wake:
		}
		for backoff := 10 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
			sc.mu.Lock()
			target, done := sc.requested, sc.done
			sc.mu.Unlock()
			if done >= target {
				break
			}
			if ok, _ := sc.truncate(context.Background()); ok {
				sc.finished(target)
				continue
			}
			select {
			case <-sc.quit:
				return
			case <-time.After(backoff):
			}
		}
	}
}

// truncate runs one truncating checkpoint; ok is false when a reader or another process's writer
// was in the way (it did not wait for them).
func (sc *scrubber) truncate(ctx context.Context) (ok bool, err error) {
	sc.lock.Lock()
	defer sc.lock.Unlock()
	var busy, frames, copied int
	if err := sc.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return false, fmt.Errorf("sqlite: checkpoint after erasure: %w", err)
	}
	return busy == 0, nil
}

func (sc *scrubber) finished(target int64) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if target > sc.done {
		sc.done = target
		close(sc.changed)
		sc.changed = make(chan struct{})
	}
}

// wait returns when every scrub requested before the call has succeeded, or when ctx ends.
func (sc *scrubber) wait(ctx context.Context) error {
	sc.mu.Lock()
	target := sc.requested
	sc.mu.Unlock()
	for {
		sc.mu.Lock()
		done, changed := sc.done, sc.changed
		sc.mu.Unlock()
		if done >= target {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sqlite: erased keys may remain in the WAL until no reader holds an older snapshot: %w", ctx.Err())
		case <-changed:
		}
	}
}

// close stops the loop, makes a last attempt when a scrub is pending, and closes the connection.
func (sc *scrubber) close() error {
	close(sc.quit)
	<-sc.stopped
	sc.mu.Lock()
	pending := sc.requested > sc.done
	sc.mu.Unlock()
	var err error
	if pending {
		var ok bool
		if ok, err = sc.truncate(context.Background()); err == nil && !ok {
			err = errors.New("sqlite: an erased key may remain in the WAL: a reader kept it busy until the store closed (the next truncating checkpoint removes it)")
		}
	}
	return errors.Join(err, sc.db.Close())
}
