package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// scrubInterval is how often the background loop retries a rewrite that an older snapshot held up.
const scrubInterval = 200 * time.Millisecond

// scrubber rewrites the key table after erasures. Erasure transaction IDs are 64-bit (xid8);
// every erasure with an ID up to done is gone from the table's files.
type scrubber struct {
	s  *Store
	mu sync.Mutex // guards wanted, done, changed and looping
	wanted,
	done uint64
	changed chan struct{} // closed when done moves
	looping bool
	rewrite sync.Mutex // one VACUUM FULL at a time
}

func newScrubber(s *Store) *scrubber { return &scrubber{s: s, changed: make(chan struct{})} }

// request notes an erasure by transaction xid and tries the rewrite at once; when an older
// snapshot holds it up (or it fails), a background loop retries until it succeeds or the store
// closes. The erasure itself is committed: request never fails it.
func (sc *scrubber) request(ctx context.Context, xid uint64) error {
	sc.mu.Lock()
	sc.wanted = max(sc.wanted, xid)
	sc.mu.Unlock()
	if ok, _ := sc.try(ctx); ok {
		return nil
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.looping {
		sc.looping = true
		go sc.loop()
	}
	return nil
}

func (sc *scrubber) loop() {
	t := time.NewTicker(scrubInterval)
	defer t.Stop()
	for {
		select {
		case <-sc.s.quit:
			sc.mu.Lock()
			sc.looping = false
			sc.mu.Unlock()
			return
		case <-t.C:
		}
		ok, _ := sc.try(context.Background())
		sc.mu.Lock()
		if ok && sc.done >= sc.wanted {
			sc.looping = false
			sc.mu.Unlock()
			return
		}
		sc.mu.Unlock()
	}
}

// try rewrites the key table when no transaction could still see a row deleted up to the wanted
// erasure, and reports whether it did.
func (sc *scrubber) try(ctx context.Context) (bool, error) {
	sc.rewrite.Lock()
	defer sc.rewrite.Unlock()
	sc.mu.Lock()
	target, done := sc.wanted, sc.done
	sc.mu.Unlock()
	if target <= done {
		return true, nil
	}
	conn, err := sc.s.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	// A transaction whose snapshot or own ID is not newer than the erasure may still see the
	// deleted row, and VACUUM FULL copies such rows into the new file. (Lazy vacuums do not count:
	// the server leaves them out of the horizon.)
	x := strconv.FormatUint(target&0xffffffff, 10)
	var held bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE pid <> pg_backend_pid() AND coalesce(backend_type, '') NOT LIKE 'autovacuum%'
			AND (age(backend_xmin) >= age($1::text::xid) OR age(backend_xid) >= age($1::text::xid)))
		OR EXISTS (SELECT 1 FROM pg_replication_slots WHERE age(xmin) >= age($1::text::xid))
		OR EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE age(transaction) >= age($1::text::xid))`, x).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("postgres: look for older snapshots: %w", err)
	}
	if held {
		return false, nil
	}
	// VACUUM FULL waits for the table's exclusive lock and holds up readers of keys meanwhile:
	// give up soon and retry rather than queue behind a long lock.
	if _, err := conn.Exec(ctx, `SET lock_timeout = '2s'`); err != nil {
		return false, err
	}
	_, err = conn.Exec(ctx, `VACUUM (FULL) person_keys`)
	if _, rerr := conn.Exec(context.Background(), `RESET lock_timeout`); rerr != nil {
		conn.Conn().Close(context.Background()) // do not return a connection with the setting
	}
	if err != nil {
		return false, fmt.Errorf("postgres: rewrite the key table: %w", err)
	}
	sc.mu.Lock()
	sc.done = max(sc.done, target)
	close(sc.changed)
	sc.changed = make(chan struct{})
	sc.mu.Unlock()
	return true, nil
}

// wait returns when every erasure requested before the call is scrubbed, or when ctx ends.
func (sc *scrubber) wait(ctx context.Context) error {
	sc.mu.Lock()
	target := sc.wanted
	sc.mu.Unlock()
	for {
		sc.mu.Lock()
		done, ch := sc.done, sc.changed
		sc.mu.Unlock()
		if done >= target {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("postgres: erased keys still in the key table's files: %w", ctx.Err())
		case <-sc.s.quit:
			return fmt.Errorf("postgres: store closed before the key table was rewritten")
		}
	}
}
