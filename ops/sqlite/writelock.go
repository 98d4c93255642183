package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"
)

// The store's write connections (the event writer, the read models' writer, the key vault, the
// consumer-group checkpoints) take turns through one mutex of the process: a connection takes it
// when it begins a transaction (or runs a statement outside one) and gives it back when the
// transaction ends. Without it they contend through SQLite's busy handler, which sleeps in steps
// of 1, 2, 5, 10, 15 … ms, so that a command arriving while a read model committed waited up to
// 8–18 ms for a lock that was free after 2; with it, the next writer goes on the moment the lock
// is free. Other processes on the same file still meet SQLite's lock and busy timeout.

// sqliteDriver is the driver registered as "sqlite" by modernc.org/sqlite.
var sqliteDriver = func() driver.Driver {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	return db.Driver()
}()

// The write-lock holders: which of the store's write connections held the lock.
const (
	HolderEvents      = "events"      // the event writer: appends
	HolderReadModels  = "read_models" // the read models' batches and rebuilds
	HolderVault       = "vault"       // person keys, snapshots, seals and the tree cache
	HolderCheckpoints = "checkpoints" // consumer groups' checkpoints
)

// openWriteDB opens a pool whose connections take the store's write mutex for each transaction;
// holder names them in ObserveWriteLock's reports.
func (s *Store) openWriteDB(dsn, holder string) *sql.DB {
	return sql.OpenDB(&lockingConnector{dsn: dsn, lock: &s.writeMu, holder: holder, store: s})
}

// ObserveWriteLock makes the store report, after every transaction of its write connections,
// which holder kept the store's write lock and for how long (nil: stop reporting). fn runs on the
// write path after the lock is given back, and must be quick (a histogram's Observe).
func (s *Store) ObserveWriteLock(fn func(holder string, held time.Duration)) {
	if fn == nil {
		s.lockObserver.Store(nil)
		return
	}
	s.lockObserver.Store(&fn)
}

type lockingConnector struct {
	dsn    string
	lock   *sync.Mutex
	holder string
	store  *Store
}

func (c *lockingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &lockingConn{Conn: conn, lock: c.lock, holder: c.holder, store: c.store}, nil
}

func (c *lockingConnector) Driver() driver.Driver { return sqliteDriver }

// lockingConn is a driver connection that holds the write mutex while a transaction is open. The
// driver's optional interfaces are passed through (database/sql uses a connection from one
// goroutine at a time, so inTx needs no lock).
type lockingConn struct {
	driver.Conn
	lock   *sync.Mutex
	holder string
	store  *Store
	inTx   bool
	took   time.Time // when this connection took the lock
}

// acquire takes the store's write lock.
func (c *lockingConn) acquire() {
	c.lock.Lock()
	c.took = time.Now()
}

// release gives the lock back and reports how long this connection held it.
func (c *lockingConn) release() {
	held := time.Since(c.took)
	c.lock.Unlock()
	c.store.ckpt.wrote()
	if fn := c.store.lockObserver.Load(); fn != nil {
		(*fn)(c.holder, held)
	}
}

var (
	_ driver.ConnBeginTx        = (*lockingConn)(nil)
	_ driver.ConnPrepareContext = (*lockingConn)(nil)
	_ driver.ExecerContext      = (*lockingConn)(nil)
	_ driver.QueryerContext     = (*lockingConn)(nil)
	_ driver.Pinger             = (*lockingConn)(nil)
	_ driver.SessionResetter    = (*lockingConn)(nil)
	_ driver.Validator          = (*lockingConn)(nil)
)

func (c *lockingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.acquire()
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.release()
		return nil, err
	}
	c.inTx = true
	return &lockingTx{Tx: tx, c: c}, nil
}

// Begin is the old form of BeginTx.
func (c *lockingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *lockingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// ExecContext takes the mutex for a statement outside a transaction (it may write).
func (c *lockingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.inTx {
		c.acquire()
		defer c.release()
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *lockingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *lockingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *lockingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *lockingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close gives the mutex back if the connection is closed with a transaction open.
func (c *lockingConn) Close() error {
	if c.inTx {
		c.inTx = false
		c.release()
	}
	return c.Conn.Close()
}

type lockingTx struct {
	driver.Tx
	c *lockingConn
}

func (t *lockingTx) Commit() error { return t.end(t.Tx.Commit()) }

func (t *lockingTx) Rollback() error { return t.end(t.Tx.Rollback()) }

func (t *lockingTx) end(err error) error {
	if t.c.inTx {
		t.c.inTx = false
		t.c.release()
	}
	return err
}
