package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is the embedded event store. Create it with New; it is safe for concurrent use.
type Store struct {
	cfg    Config
	rdb    *sql.DB // read-only pool
	reads  stmtCache
	wdb    *sql.DB // the writer's single connection; nil when read-only
	writer *writer

	vaultOnce sync.Once
	vault     *Vault
	proj      projectionDBs
	notify    *notifier
	tail      tail             // recent events for subscriptions
	writeMu   sync.Mutex       // taken by every write transaction of this process (writelock.go)
	ckpt      *walCheckpointer // WAL checkpoints off the write path (walcheckpoint.go); nil when read-only
	// lockObserver receives how long each write transaction held writeMu (ObserveWriteLock).
	lockObserver atomic.Pointer[func(holder string, held time.Duration)]

	// serverLock holds the file's server lock (Config.ServerLock) until Close, after every
	// connection; nil without it.
	serverLock *serverLock

	mu     sync.RWMutex // Append holds it shared; Close exclusively, so pending appends finish first
	closed bool
	quit   chan struct{} // closed by Close: ends subscriptions
}

var _ eventstore.Store = (*Store)(nil)

// New opens (creating and migrating when needed) the database at cfg.Path. It refuses settings
// that could lose acknowledged appends unless cfg.AllowDataLoss says so.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, notify: newNotifier(), quit: make(chan struct{})}
	if cfg.ReadOnly {
		if _, err := os.Stat(cfg.Path); err != nil {
			return nil, fmt.Errorf("sqlite: open %s read-only: %w", cfg.Path, err)
		}
	} else if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", cfg.Path, err)
		}
	}
	if cfg.ServerLock {
		var err error
		if s.serverLock, err = lockServer(cfg.Path); err != nil {
			return nil, err
		}
	}
	if err := s.open(ctx); err != nil {
		s.closeDBs()
		s.releaseServerLock()
		return nil, s.damaged("the schema", err)
	}
	return s, nil
}

// HoldsServerLock reports whether the store holds its file's server lock (Config.ServerLock):
// then no other server has the file open, and the streams this process's server writes are
// written by it alone (CLI commands write only tokens, seals and read models).
func (s *Store) HoldsServerLock() bool { return s.serverLock != nil }

// releaseServerLock closes the file that holds the server lock, after every connection.
func (s *Store) releaseServerLock() error {
	if s.serverLock == nil {
		return nil
	}
	err := s.serverLock.release()
	s.serverLock = nil
	return err
}

func (s *Store) open(ctx context.Context) error {
	var err error
	if !s.cfg.ReadOnly {
		if err := s.startWALCheckpointer(); err != nil {
			return err
		}
		s.wdb = s.openWriteDB(s.dsn(true), HolderEvents)
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		conn, err := s.wdb.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlite: open %s: %w", s.cfg.Path, err)
		}
		if err := checkDurability(ctx, conn, s.cfg); err != nil {
			conn.Close()
			return err
		}
		if err := migrate(ctx, conn); err != nil {
			conn.Close()
			return err
		}
		if s.writer, err = newWriter(ctx, conn, s.cfg, s.notify, &s.tail); err != nil {
			conn.Close()
			return err
		}
	}
	s.rdb, err = sql.Open("sqlite", s.dsn(false))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.cfg.Path, err)
	}
	s.rdb.SetMaxOpenConns(s.cfg.ReadConns)
	s.rdb.SetMaxIdleConns(s.cfg.ReadConns)
	s.reads.db = s.rdb
	v, err := schemaVersion(ctx, s.rdb)
	if err != nil {
		return err
	}
	if v != SchemaVersion {
		return fmt.Errorf("sqlite: %s has schema version %d, this program reads version %d", s.cfg.Path, v, SchemaVersion)
	}
	return nil
}

// pageSize is the database's page size: SQLite's default, which civicflow never changes.
const pageSize = 4096

// dsn builds the connection string: a file: URI so that SQLite's own mode parameter applies.
func (s *Store) dsn(write bool) string {
	return s.dsnBusy(write, s.cfg.BusyTimeout)
}

// dsnBusy is dsn with another busy timeout (0 or less: fail at once when locked).
func (s *Store) dsnBusy(write bool, busy time.Duration) string {
	u := url.URL{Path: s.cfg.Path}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(max(0, busy.Milliseconds())))
	if write {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", s.cfg.Synchronous)
		q.Set("_txlock", "immediate")
		q.Add("_pragma", "secure_delete(1)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages))
		if s.cfg.MaxSize > 0 {
			q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", s.cfg.MaxSize/pageSize))
		}
		q.Set("mode", "rwc")
	} else {
		q.Set("_query_only", "1")
		if s.cfg.ReadOnly {
			q.Set("mode", "ro")
		}
	}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// checkDurability refuses a database that would not keep acknowledged appends.
func checkDurability(ctx context.Context, conn *sql.Conn, cfg Config) error {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: read journal_mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlite: %s: journal_mode is %q, not wal (is the file system able to hold a WAL?)", cfg.Path, mode)
	}
	var sync int
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("sqlite: read synchronous: %w", err)
	}
	if sync < 2 && !cfg.AllowDataLoss {
		return fmt.Errorf("sqlite: %s: synchronous=%d may lose acknowledged appends; refusing without AllowDataLoss", cfg.Path, sync)
	}
	return nil
}

// Close waits for pending appends, stops the writer, ends subscriptions and closes the database.
// It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.quit)
	s.mu.Unlock()
	var err error
	if s.writer != nil {
		err = s.writer.close()
	}
	// The vault last: with every other connection of this store closed, its last attempt to scrub
	// erased keys from the WAL meets no reader of this process.
	err = errors.Join(err, s.proj.close(), s.closeDBs(), s.vault.close())
	return errors.Join(err, s.releaseServerLock()) // last: see lockServer
}

func (s *Store) closeDBs() error {
	s.reads.close()
	errs := []error{s.ckpt.close()}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}

// Append records events at the end of stream; see eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	norm, err := eventstore.ValidateAppend(stream, expected, events, s.cfg.MaxEventBytes)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	if s.writer == nil {
		return eventstore.AppendResult{}, fmt.Errorf("sqlite: %s is open read-only", s.cfg.Path)
	}
	return s.writer.append(ctx, stream, expected, norm)
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Stats counts the writer's work since the store was opened.
type Stats struct {
	// Transactions is how many write transactions were committed.
	Transactions int64
	// Appends is how many appends those transactions decided (written, duplicate or refused).
	Appends int64
	// Events is how many events those transactions wrote (duplicates and refusals write none).
	Events int64
	// Reencoded is how many events the writer encoded again because the recorded-at or the
	// version their appender had encoded them with no longer held (a transaction that was tried
	// again counts its events again).
	Reencoded int64
}

// Stats returns the writer's counters; all zero for a read-only store.
func (s *Store) Stats() Stats {
	if s.writer == nil {
		return Stats{}
	}
	w := s.writer
	return Stats{Transactions: w.batches.Load(), Appends: w.appends.Load(), Events: w.events.Load(), Reencoded: w.reencoded.Load()}
}

// Head returns the position of the last event in the log (Start when empty).
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, eventstore.ErrClosed
	}
	var last int64
	rows, err := s.query(ctx, `SELECT coalesce(max(position), 0) FROM event_log`)
	if err != nil {
		return eventstore.Start, fmt.Errorf("sqlite: head: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return eventstore.Start, fmt.Errorf("sqlite: head: %w", rows.Err())
	}
	if err := rows.Scan(&last); err != nil {
		return eventstore.Start, fmt.Errorf("sqlite: head: %w", err)
	}
	return eventstore.SequencePosition(uint64(last)), nil
}
