package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// BatchApplier is a Projection that applies a whole batch of events at once, for instance by
// preparing its statements once and folding the batch in memory so that each changed row is
// written once. Rebuilds use it when a read model has it (checked with a type assertion). The
// result must be exactly that of Apply called for each event in order, in one transaction. In a
// rebuild page it uses tx through Stmts only, or after Stmts.Flush (see there).
type BatchApplier interface {
	ApplyBatch(ctx context.Context, tx *sql.Tx, t Tables, events []eventstore.Event) error
}

// applyInOrder applies events to the build's tables t, with ApplyBatch when p has it. The events
// must follow after, in log order.
func applyInOrder(ctx context.Context, tx *sql.Tx, p Projection, t Tables, after eventstore.Position, events []eventstore.Event) error {
	last := after
	for _, e := range events {
		if e.Position.Compare(last) <= 0 {
			return fmt.Errorf("runner: %s: event at %s does not follow %s", p.Name(), e.Position, last)
		}
		last = e.Position
	}
	if b, ok := p.(BatchApplier); ok {
		if err := b.ApplyBatch(ctx, tx, t, events); err != nil {
			return fmt.Errorf("runner: %s: apply %d events after %s: %w", p.Name(), len(events), after, err)
		}
		return nil
	}
	for _, e := range events {
		if err := p.Apply(ctx, tx, t, e); err != nil {
			return fmt.Errorf("runner: %s: apply %s at %s: %w", p.Name(), e.Type, e.Position, err)
		}
	}
	return nil
}

// Stmts prepares the statements of one transaction once each and reuses them: a read model's
// ApplyBatch keeps one for its batch. Statements name the build's tables as in Tables.Q. Inside a
// rebuild page, which calls ApplyBatch once per part, the statements are prepared once for the
// page's transaction (see withStmtCache) and closed when it ends. On a connection that pipelines
// (a Pipeliner: PostgreSQL), a rebuild page's Exec only queues its statement, and the queue runs
// in one round trip before the next QueryRow, at Flush, and before the page's checkpoint; on one
// that also copies (a Copier), the rows added with Inserter.AddNew are copied into their tables
// each time before the queue runs.
type Stmts struct {
	ctx    context.Context
	tx     *sql.Tx
	t      Tables
	byQ    map[string]*sql.Stmt
	texts  map[string]string // queries with the tables named, for queued statements
	shared *stmtCache        // the transaction's statements, nil outside a rebuild page
}

// NewStmts returns an empty statement set for tx and the build's tables t; Close it.
func NewStmts(ctx context.Context, tx *sql.Tx, t Tables) *Stmts {
	s := &Stmts{ctx: ctx, tx: tx, t: t, byQ: map[string]*sql.Stmt{}, texts: map[string]string{}}
	if c, ok := ctx.Value(stmtCacheKey{}).(*stmtCache); ok && c.tx == tx {
		s.shared = c
	}
	return s
}

// stmtCache holds the statements prepared in one transaction by their text (tables named), and
// on a connection that pipelines the statements queued to run together (pipe.exec runs them)
// and the rows to copy before them (pipe.copy, per table in the order of their first row).
type stmtCache struct {
	tx      *sql.Tx
	byQ     map[string]*sql.Stmt
	pipe    pipes
	queue   []Statement
	copies  []*CopyRows
	byTable map[string]*CopyRows
	values  int // in copies
}

// flush copies the rows collected, then runs the queued statements, after pipe.ready allows.
func (c *stmtCache) flush() error {
	if c.pipe.ready != nil {
		if err := c.pipe.ready(); err != nil {
			return err
		}
		c.pipe.ready = nil
	}
	for i, rows := range c.copies {
		if err := c.pipe.copy(*rows); err != nil {
			return fmt.Errorf("copy into %s: %w", rows.Table, err)
		}
		putCopyValues(rows.Values)
		c.copies[i] = nil
	}
	c.copies, c.values = c.copies[:0], 0
	clear(c.byTable)
	if len(c.queue) == 0 {
		return nil
	}
	err := c.pipe.exec(c.queue)
	clear(c.queue)
	c.queue = c.queue[:0]
	return err
}

type stmtCacheKey struct{}

// withStmtCache returns ctx with a statement cache for tx, queueing Exec's statements for
// pipe.exec and collecting new rows for pipe.copy where they are not nil, and the function that
// closes its statements; call it before the transaction ends (after flushing the queue).
func withStmtCache(ctx context.Context, tx *sql.Tx, pipe pipes) (context.Context, *stmtCache, func() error) {
	if pipe.exec == nil {
		pipe.copy = nil // copies run before the queue: without one, rows are inserted as they come
	}
	c := &stmtCache{tx: tx, byQ: map[string]*sql.Stmt{}, pipe: pipe, byTable: map[string]*CopyRows{}}
	if pipe.exec != nil {
		c.queue = append(c.queue, pipe.first...)
	}
	return context.WithValue(ctx, stmtCacheKey{}, c), c, func() error {
		var errs []error
		for _, st := range c.byQ {
			errs = append(errs, st.Close())
		}
		clear(c.byQ)
		return errors.Join(errs...)
	}
}

// copyRow collects a new row of table (named as in Tables.Q) for the page's next copy, and
// reports false, doing nothing, where the connection does not copy.
func (s *Stmts) copyRow(table string, columns []string, row []any) (bool, error) {
	c := s.shared
	if c == nil || c.pipe.copy == nil {
		return false, nil
	}
	name, ok := s.texts[table]
	if !ok {
		name = s.t.Q(table)
		s.texts[table] = name
	}
	rows := c.byTable[name]
	if rows != nil && !slices.Equal(rows.Columns, columns) {
		if err := c.flush(); err != nil {
			return true, err
		}
		rows = nil
	}
	if rows == nil {
		rows = &CopyRows{Table: name, Columns: columns, Values: getCopyValues()}
		c.byTable[name] = rows
		c.copies = append(c.copies, rows)
	}
	rows.Values = append(rows.Values, row...)
	if c.values += len(row); c.values < copyLimit {
		return true, nil
	}
	return true, c.flush()
}

// copyValues keeps the value slices of copies that ran, for the next copies (of this page or
// the next): a page's rows for one table grow a slice to thousands of values, which appending
// from nothing again on every page copied over and over (5 % of a rebuild's CPU on PostgreSQL).
var copyValues = sync.Pool{New: func() any { return new([]any) }}

// getCopyValues returns an empty value slice, with room from an earlier copy when there is one.
func getCopyValues() []any {
	return (*copyValues.Get().(*[]any))[:0]
}

// putCopyValues keeps v's room for later copies, without its values.
func putCopyValues(v []any) {
	if cap(v) == 0 || cap(v) > 2*copyLimit {
		return
	}
	clear(v)
	v = v[:0]
	copyValues.Put(&v)
}

// Context returns the batch's context: the statements run in it, and read models Remember what
// they derive from the batch's events in it.
func (s *Stmts) Context() context.Context { return s.ctx }

func (s *Stmts) stmt(query string) (*sql.Stmt, error) {
	if st, ok := s.byQ[query]; ok {
		return st, nil
	}
	text := s.t.Q(query)
	if s.shared != nil {
		if st, ok := s.shared.byQ[text]; ok {
			s.byQ[query] = st
			return st, nil
		}
	}
	st, err := s.tx.PrepareContext(s.ctx, text)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", query, err)
	}
	s.byQ[query] = st
	if s.shared != nil {
		s.shared.byQ[text] = st
	}
	return st, nil
}

// Exec runs query (with "{table}" names) with args; in a rebuild page on a connection that
// pipelines it queues them (see Stmts) and reports their error when the queue runs.
func (s *Stmts) Exec(query string, args ...any) error {
	if c := s.shared; c != nil && c.pipe.exec != nil {
		text, ok := s.texts[query]
		if !ok {
			text = s.t.Q(query)
			s.texts[query] = text
		}
		c.queue = append(c.queue, Statement{Query: text, Args: append([]any(nil), args...)})
		if len(c.queue) < pipelineLimit {
			return nil
		}
		return c.flush()
	}
	st, err := s.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(s.ctx, args...)
	return err
}

// QueryRow runs query (with "{table}" names) for one row and scans it into dest; found is false
// when there is no row.
func (s *Stmts) QueryRow(query string, args []any, dest ...any) (found bool, err error) {
	if err := s.Flush(); err != nil {
		return false, err
	}
	st, err := s.stmt(query)
	if err != nil {
		return false, err
	}
	err = st.QueryRowContext(s.ctx, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Flush runs the statements Exec queued in a rebuild page (see Stmts); elsewhere it does nothing.
// A read model that uses the transaction itself, besides Stmts, flushes first: in a rebuild
// page on PostgreSQL the first flush also waits until the page before committed (see
// pageLoader), and nothing may run in the transaction before it.
func (s *Stmts) Flush() error {
	if s.shared == nil || s.shared.pipe.exec == nil {
		return nil
	}
	return s.shared.flush()
}

// Close closes the prepared statements, except those of a rebuild page's transaction, which are
// closed when it ends.
func (s *Stmts) Close() error {
	var errs []error
	if s.shared == nil {
		for _, st := range s.byQ {
			errs = append(errs, st.Close())
		}
	}
	clear(s.byQ)
	return errors.Join(errs...)
}

// ApplyEach calls apply for each event in order with one statement set for the batch: an
// ApplyBatch for read models that write every event as it comes.
func ApplyEach(ctx context.Context, tx *sql.Tx, t Tables, events []eventstore.Event, apply func(*Stmts, eventstore.Event) error) error {
	s := NewStmts(ctx, tx, t)
	defer s.Close()
	for _, e := range events {
		if err := apply(s, e); err != nil {
			return err
		}
	}
	return nil
}
