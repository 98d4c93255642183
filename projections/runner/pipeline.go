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

// CopyRows are rows for a Copier to load into one table: its name, its columns, and the rows'
// values one row after another (len(Columns) values each). A value is nil (NULL), a string, a
// []byte, a bool (stored as 1 or 0), an integer or a float.
type CopyRows struct {
	Table   string
	Columns []string
	Values  []any
}

// Copier is a driver connection (reached through sql.Conn.Raw) that loads rows into a table in its
// open transaction with one bulk command, cheaper per row than INSERT (PostgreSQL's COPY; no
// conflict clause). A rebuild page on such a connection copies the rows a read model adds as new
// (Inserter.AddNew).
type Copier interface {
	// CopyRows loads rows into their table; a failure leaves the transaction to be rolled back.
	// It must not keep rows.Values after it returns (the runner reuses the slice).
	CopyRows(ctx context.Context, rows CopyRows) error
}

// pipelineLimit is how many queued statements a page sends at most in one round trip.
const pipelineLimit = 256

// copyLimit is how many values a page collects for its copies at most before it runs them (and
// the statements queued).
const copyLimit = 1 << 16

// conner is a DB that hands out one of its connections for a while, as *sql.DB does.
type conner interface {
	Conn(ctx context.Context) (*sql.Conn, error)
}

// pageConn is the connection a rebuild applies its pages on: a connection of its own when the
// DB has one that pipelines, else the DB itself.
type pageConn struct {
	db     DB
	conn   *sql.Conn // nil: no pipelining
	copies bool      // conn is also a Copier
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
	var pipelines, copies bool
	err = conn.Raw(func(dc any) error {
		_, pipelines = dc.(Pipeliner)
		_, copies = dc.(Copier)
		return nil
	})
	if err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	if !pipelines {
		return &pageConn{db: db}, conn.Close()
	}
	return &pageConn{db: conn, conn: conn, copies: copies}, nil
}

// close gives the connection back to the DB.
func (pc *pageConn) close() error {
	if pc.conn == nil {
		return nil
	}
	return pc.conn.Close()
}

// pipes are the functions that run a page's queued statements and its copies; nil where the
// connection does not pipeline or copy. first are statements queued before the page's own;
// ready, unless nil, waits until the page may run anything on the server (the previous page
// committed, see pageLoader) and reports why not.
type pipes struct {
	exec  func([]Statement) error
	copy  func(CopyRows) error
	first []Statement
	ready func() error
}

// pipes returns the functions that run a page's queued statements and copies on pc's connection.
func (pc *pageConn) pipes(ctx context.Context) pipes {
	if pc.conn == nil {
		return pipes{}
	}
	return connPipes(ctx, pc.conn, pc.copies)
}

// connPipes returns the functions that run queued statements and copies on conn, which
// pipelines (and copies if copies is true).
func connPipes(ctx context.Context, conn *sql.Conn, copies bool) pipes {
	p := pipes{exec: func(stmts []Statement) error {
		return conn.Raw(func(dc any) error { return dc.(Pipeliner).ExecPipeline(ctx, stmts) })
	}}
	if copies {
		p.copy = func(rows CopyRows) error {
			return conn.Raw(func(dc any) error { return dc.(Copier).CopyRows(ctx, rows) })
		}
	}
	return p
}
