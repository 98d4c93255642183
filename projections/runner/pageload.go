package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// pageLoader applies a rebuild's pages in log order, each in a transaction of its own.
//
// Where the DB hands out connections that pipeline (PostgreSQL), each page runs on a connection
// of its own, and while one page's statements run and commit, the next page is applied in
// memory: its transaction has begun, but it runs nothing on the server before the page before
// committed (the page's first flush waits for that, see pipes.ready), so it sees that page's
// rows (a transaction's snapshot is taken at its first statement); the first page so waits
// for the builds' tables, which are made while it is applied. The client's work on a page
// and the server's on the page before overlap; at most two pages are in flight. When a page
// fails, the pages in flight are settled and what did not commit is applied again one page
// after another, without pass state and with retries (applyPageWithRetry), as is the rest of
// the rebuild. Elsewhere (SQLite) every page is applied so.
type pageLoader struct {
	r      *Runner
	builds []*newBuild
	db     conner       // nil: one page after another on seq
	copies bool         // db's connections are Copiers too
	seq    *pageConn    // the connection for one page after another, once needed
	tables func() error // waits until the builds' tables are made
	flight []*pageWrite
	pos    eventstore.Position // committed up to
	ctx    context.Context     // for progress reports
}

// pageWrite is a page in flight: applied, its statements and commit running or done.
type pageWrite struct {
	pg     page
	before []eventstore.Position // each build's last position before the page
	done   chan struct{}         // closed when the page committed or failed
	err    error                 // why it failed, once done is closed
}

// wait waits until the page committed or failed, and reports why it failed.
func (w *pageWrite) wait() error {
	<-w.done
	return w.err
}

// newPageLoader returns a loader of pages into builds, overlapping where r's DB pipelines.
func newPageLoader(ctx context.Context, r *Runner, builds []*newBuild, tables func() error) (*pageLoader, error) {
	l := &pageLoader{r: r, builds: builds, tables: tables, ctx: ctx}
	if c, ok := r.cfg.DB.(conner); ok {
		conn, err := c.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("runner: a connection for the rebuild: %w", err)
		}
		var pipelines bool
		err = conn.Raw(func(dc any) error {
			_, pipelines = dc.(Pipeliner)
			_, l.copies = dc.(Copier)
			return nil
		})
		if err = errors.Join(err, conn.Close()); err != nil {
			return nil, err
		}
		if pipelines {
			l.db = c
			return l, nil
		}
	}
	seq, err := openPageConn(ctx, r.cfg.DB)
	if err != nil {
		return nil, err
	}
	l.seq = seq
	return l, nil
}

// load applies pg after the pages loaded before.
func (l *pageLoader) load(ctx context.Context, pg page) error {
	if l.seq != nil {
		if err := l.tables(); err != nil {
			return err
		}
		if err := l.r.applyPageWithRetry(ctx, l.seq, l.builds, pg); err != nil {
			return err
		}
		l.committed(pg)
		return nil
	}
	if len(l.flight) == 2 {
		if err := l.flight[0].wait(); err != nil {
			return l.fallBack(ctx, err)
		}
		l.committed(l.flight[0].pg)
		l.flight = l.flight[1:]
	}
	w := &pageWrite{pg: pg, before: make([]eventstore.Position, len(l.builds)), done: make(chan struct{})}
	for i, b := range l.builds {
		w.before[i] = b.last
	}
	if err := l.begin(ctx, w); err != nil {
		w.err = err
		close(w.done)
		l.flight = append(l.flight, w)
		return l.fallBack(ctx, err)
	}
	l.flight = append(l.flight, w)
	return nil
}

// begin applies w's page in a new transaction on a connection of its own and leaves its
// statements and commit running; they wait for the page in flight before it.
func (l *pageLoader) begin(ctx context.Context, w *pageWrite) (err error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("runner: a connection for the rebuild: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return errors.Join(err, conn.Close())
	}
	pipe := connPipes(ctx, conn, l.copies)
	if q := l.r.cfg.Dialect.bulkPage(); q != "" {
		pipe.first = []Statement{{Query: q}}
	}
	if n := len(l.flight); n > 0 {
		before := l.flight[n-1]
		pipe.ready = func() error {
			if err := before.wait(); err != nil {
				return fmt.Errorf("runner: the page before failed: %w", err)
			}
			return nil
		}
	} else {
		// The first page is applied while the tables are made.
		pipe.ready = l.tables
	}
	pctx, stmts, closeStmts := withStmtCache(ctx, tx, pipe)
	if err := applyParts(pctx, tx, l.builds, w.pg.parts); err != nil {
		return errors.Join(err, closeStmts(), tx.Rollback(), conn.Close())
	}
	for _, b := range l.builds {
		stmts.queue = append(stmts.queue, checkpointStatement(b.p.Name(), b.next, b.last))
	}
	go func() {
		defer close(w.done)
		err := stmts.flush()
		if err != nil {
			err = fmt.Errorf("runner: rebuild page: %w", err)
		}
		if err = errors.Join(err, closeStmts()); err == nil {
			err = tx.Commit()
		} else {
			err = errors.Join(err, tx.Rollback())
		}
		w.err = errors.Join(err, conn.Close())
	}()
	return nil
}

// committed notes that pg committed.
func (l *pageLoader) committed(pg page) {
	l.pos = pg.last
	eventstore.ReportProgress(l.ctx, int64(l.pos.Commit()))
}

// fallBack settles the pages in flight after a failure (cause) and applies those that did not
// commit again, one after another with retries and without pass state, as the rest of the
// rebuild from now on.
func (l *pageLoader) fallBack(ctx context.Context, cause error) error {
	var redo []*pageWrite
	for _, w := range l.flight {
		if err := w.wait(); err == nil && len(redo) == 0 {
			l.committed(w.pg)
			continue
		}
		redo = append(redo, w)
	}
	l.flight = nil
	if err := l.tables(); err != nil {
		return err // the tables were not made: no page can be applied
	}
	if len(redo) == 0 {
		return cause // cannot be: the failing page is in flight
	}
	for i, b := range l.builds {
		b.last, b.pass = redo[0].before[i], nil
	}
	l.r.cfg.Logger.Warn("projection rebuild page failed; applying the pages again one by one", "from", redo[0].pg.first.String(), "err", cause)
	seq, err := openPageConn(ctx, l.r.cfg.DB)
	if err != nil {
		return err
	}
	l.seq, l.db = seq, nil
	for _, w := range redo {
		if err := l.load(ctx, w.pg); err != nil {
			return err
		}
	}
	return nil
}

// finish waits until the pages in flight committed, applying them again if one failed.
func (l *pageLoader) finish(ctx context.Context) error {
	for len(l.flight) > 0 {
		if err := l.flight[0].wait(); err != nil {
			return l.fallBack(ctx, err)
		}
		l.committed(l.flight[0].pg)
		l.flight = l.flight[1:]
	}
	return nil
}

// close waits for the pages in flight and gives the connection back.
func (l *pageLoader) close() error {
	for _, w := range l.flight {
		w.wait()
	}
	l.flight = nil
	if l.seq != nil {
		return l.seq.close()
	}
	return nil
}
