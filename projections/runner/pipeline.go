package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Statement is a statement for a Pipeliner: its text with "?" placeholders and the build's
// tables named (Tables.Q), and its arguments.
type Statement struct {
	Query string
	Args  []any
}

// Pipeliner is a driver connection (reached through sql.Conn.Raw) that runs several statements
// in its open transaction with one round trip, such as ops/storage's PostgreSQL connection. A
// rebuild applies its pages on such a connection when the DB hands one out (see Stmts.Exec).
type Pipeliner interface {
	// ExecPipeline runs stmts in order and returns the first error; the statements after a
	// failing one have no effect on the transaction, which then must be rolled back.
	ExecPipeline(ctx context.Context, stmts []Statement) error
}

// pipelineLimit is how many queued statements a page sends at most in one round trip.
const pipelineLimit = 256

// conner is a DB that hands out one of its connections for a while, as *sql.DB does.
type conner interface {
	Conn(ctx context.Context) (*sql.Conn, error)
}

// pageConn is the connection a rebuild applies its pages on: a connection of its own when the
// DB has one that pipelines, else the DB itself.
type pageConn struct {
	db   DB
	conn *sql.Conn // nil: no pipelining
}

// openPageConn takes a connection of db for a rebuild's pages when its driver connection is a
// Pipeliner; otherwise (SQLite) it returns db at once and leaves its connection to others between
// pages.
func openPageConn(ctx context.Context, db DB) (*pageConn, error) {
	c, ok := db.(conner)
	if !ok {
		return &pageConn{db: db}, nil
	}
	conn, err := c.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("runner: a connection for the rebuild: %w", err)
	}
	var pipelines bool
	if err := conn.Raw(func(dc any) error { _, pipelines = dc.(Pipeliner); return nil }); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	if !pipelines {
		return &pageConn{db: db}, conn.Close()
	}
	return &pageConn{db: conn, conn: conn}, nil
}

// close gives the connection back to the DB.
func (pc *pageConn) close() error {
	if pc.conn == nil {
		return nil
	}
	return pc.conn.Close()
}

// pipe returns the function that runs a page's queued statements, nil without pipelining.
func (pc *pageConn) pipe(ctx context.Context) func([]Statement) error {
	if pc.conn == nil {
		return nil
	}
	return func(stmts []Statement) error {
		return pc.conn.Raw(func(dc any) error { return dc.(Pipeliner).ExecPipeline(ctx, stmts) })
	}
}
