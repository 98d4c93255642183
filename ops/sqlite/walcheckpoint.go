package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// WAL checkpoints off the write path. SQLite's default moves the write-ahead log's pages into the
// database file (a checkpoint) inside the commit that lets the log pass 1,000 pages, while that
// commit's connection holds the store's write lock: every command behind it waited for the
// checkpoint's writes and its two syncs. On a young store those pages lie together at the file's
// end; with a long history they are spread over the file (index and read-model pages), and the
// checkpoint takes longer. Measured with BenchmarkHistory at 10^6 events: checkpoints ran inside
// the event writer's and the read models' commits (CPU profile), and 16 % of the event writer's
// transactions held the write lock longer than 2 ms, against 6 % on the fresh store of the same
// run (README, Performance).
//
// So the store's write connections only checkpoint as a backstop (walBackstopPages), and a
// goroutine of the store checkpoints on a connection of its own, without the write lock, shortly
// after writes (walCheckpointDelay): PASSIVE, the mode of SQLite's own automatic checkpoint, which
// never waits for readers or writers. Durability does not change: a commit is durable once its
// WAL frames are synced (synchronous is as configured); a checkpoint syncs the WAL before it
// copies pages and the database file after, on its own connection with the same synchronous
// setting.

// walBackstopPages is the WAL size (pages of 4 KiB) at which a commit checkpoints on its own
// connection, as SQLite's default of 1,000 did: only when the background checkpoint falls behind
// or fails (40 MiB).
const walBackstopPages = 10_000

// walCheckpointDelay is how long the checkpointer waits after a write before it checkpoints, so
// that one checkpoint copies the pages of many commits (SQLite's automatic checkpoint at 1,000
// pages ran a few times a second under 1,000 commands/s).
const walCheckpointDelay = 200 * time.Millisecond

// walCheckpointer runs the store's checkpoints in the background.
type walCheckpointer struct {
	db   *sql.DB
	poke chan struct{} // a write happened (buffered, 1)
	quit chan struct{}
	done chan struct{}
	once sync.Once // close

	runs, failures atomic.Int64
	observer       atomic.Pointer[func(took time.Duration, walPages, copied int)] // ObserveCheckpoints
}

// ObserveCheckpoints makes the store report each background checkpoint that ran: how long it took,
// how many pages the WAL held and how many of them are in the database file after it (SQLite
// counts both since the WAL was last started over, not per checkpoint; nil: stop reporting). A checkpoint does
// not hold the write lock, but its writes and its sync of the database file share the disk with
// the commits' syncs of the WAL: a long one can stall them. fn runs on the checkpointer's
// goroutine and must be quick. A read-only store has no checkpointer and reports nothing.
func (s *Store) ObserveCheckpoints(fn func(took time.Duration, walPages, copied int)) {
	if s.ckpt == nil {
		return
	}
	if fn == nil {
		s.ckpt.observer.Store(nil)
		return
	}
	s.ckpt.observer.Store(&fn)
}

// startWALCheckpointer opens the checkpointer's connection and starts it.
func (s *Store) startWALCheckpointer() error {
	db, err := sql.Open("sqlite", s.dsnBusy(true, 0))
	if err != nil {
		return fmt.Errorf("sqlite: open %s for checkpoints: %w", s.cfg.Path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &walCheckpointer{db: db, poke: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	s.ckpt = c
	return nil
}

// wrote tells the checkpointer that a write transaction ended. It never blocks.
func (c *walCheckpointer) wrote() {
	if c == nil {
		return
	}
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

func (c *walCheckpointer) run() {
	defer close(c.done)
	delay := time.NewTimer(time.Hour)
	delay.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-c.poke:
		}
		delay.Reset(walCheckpointDelay)
		select {
		case <-c.quit:
			return
		case <-delay.C:
		}
		c.checkpoint()
	}
}

// checkpoint runs one PASSIVE checkpoint; a failure leaves the pages in the WAL for the next one
// (or for a commit's backstop).
func (c *walCheckpointer) checkpoint() {
	var busy, frames, copied int
	start := time.Now()
	err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	took := time.Since(start)
	c.runs.Add(1)
	if err != nil {
		c.failures.Add(1)
		return
	}
	if fn := c.observer.Load(); fn != nil {
		(*fn)(took, frames, copied)
	}
}

// close stops the checkpointer and closes its connection; later calls do nothing.
func (c *walCheckpointer) close() (err error) {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		close(c.quit)
		<-c.done
		err = c.db.Close()
	})
	return err
}
