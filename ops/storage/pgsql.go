package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/civicflow/civicflow/projections/runner"
)

// OpenPostgresReadModels returns a database/sql pool on pool's schema for the read models and
// their checkpoints (projections/runner with runner.PostgreSQL). Its connections speak the read
// models' SQL: "?" placeholders are rewritten to $1, $2, … (runner.PostgreSQL.Rebind), a Go bool
// is stored as 1 or 0 as SQLite stores it, and every transaction that does not choose an
// isolation level is REPEATABLE READ, so that a reader sees the tables and the checkpoint at one
// snapshot. Closing it leaves pool open.
func OpenPostgresReadModels(pool *pgxpool.Pool) *sql.DB {
	return sql.OpenDB(rebinding{stdlib.GetPoolConnector(pool)})
}

// PostgresScratch returns the Scratch of a PostgreSQL backend: each call creates an empty schema
// of its own on the server at url and a pool on it, and the returned function drops the schema.
func PostgresScratch(url string) func() (runner.DB, func() error, error) {
	return func() (runner.DB, func() error, error) {
		ctx := context.Background()
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: URL: %w", err)
		}
		suffix := make([]byte, 8)
		rand.Read(suffix)
		schema := "civicflow_scratch_" + hex.EncodeToString(suffix)
		ident := pgx.Identifier{schema}.Sanitize()
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
		cfg.MaxConns = 1
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: scratch schema: %w", err)
		}
		if _, err := pool.Exec(ctx, `CREATE SCHEMA `+ident); err != nil {
			pool.Close()
			return nil, nil, fmt.Errorf("postgres: scratch schema: %w", err)
		}
		db := OpenPostgresReadModels(pool)
		return db, func() error {
			err := db.Close() // first: its connection is the pool's only one
			_, derr := pool.Exec(context.Background(), `DROP SCHEMA `+ident+` CASCADE`)
			pool.Close()
			return errors.Join(err, derr)
		}, nil
	}
}

// rebinding is a connector whose connections speak the read models' SQL (see
// OpenPostgresReadModels).
type rebinding struct{ driver.Connector }

func (c rebinding) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{Conn: conn.(*stdlib.Conn)}, nil
}

// rebindConn passes everything to pgx's connection after rewriting placeholders and values.
type rebindConn struct {
	*stdlib.Conn
	rebound map[string]string // ExecPipeline's statements rewritten, by their text
	copyBuf []byte            // CopyRows' last buffer, reused
}

var (
	_ driver.ConnBeginTx        = (*rebindConn)(nil)
	_ driver.ConnPrepareContext = (*rebindConn)(nil)
	_ driver.ExecerContext      = (*rebindConn)(nil)
	_ driver.QueryerContext     = (*rebindConn)(nil)
	_ driver.NamedValueChecker  = (*rebindConn)(nil)
	_ driver.SessionResetter    = (*rebindConn)(nil)
	_ driver.Pinger             = (*rebindConn)(nil)
	_ runner.Pipeliner          = (*rebindConn)(nil)
)

// maxRebound bounds the statements ExecPipeline keeps rewritten; beyond it they are forgotten.
const maxRebound = 512

// ExecPipeline runs stmts in the connection's transaction as one pgx batch: one round trip, and
// one more for the statements the connection has not prepared yet (pgx's statement cache).
func (c *rebindConn) ExecPipeline(ctx context.Context, stmts []runner.Statement) error {
	if c.rebound == nil || len(c.rebound) >= maxRebound {
		c.rebound = map[string]string{}
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(stmts))}
	for _, s := range stmts {
		q, ok := c.rebound[s.Query]
		if !ok {
			q = runner.PostgreSQL.Rebind(s.Query)
			c.rebound[s.Query] = q
		}
		for i, a := range s.Args {
			if v, ok := a.(bool); ok {
				s.Args[i] = boolValue(v)
			}
		}
		b.Queue(q, s.Args...)
	}
	return c.Conn.Conn().SendBatch(ctx, b).Close()
}

func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, runner.PostgreSQL.Rebind(query))
}

func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, runner.PostgreSQL.Rebind(query), args)
}

func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, runner.PostgreSQL.Rebind(query), args)
}

// CheckNamedValue turns a bool into 1 or 0 (as SQLite stores it) and passes everything else.
func (c *rebindConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = boolValue(b)
	}
	return nil
}

// boolValue is 1 for true and 0 for false, as SQLite stores a bool.
func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.Isolation == driver.IsolationLevel(sql.LevelDefault) {
		opts.Isolation = driver.IsolationLevel(sql.LevelRepeatableRead)
	}
	return c.Conn.BeginTx(ctx, opts)
}
