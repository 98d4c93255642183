package runner

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// InsertChunk is how many rows an Inserter writes with one statement by default. One statement
// per row costs database/sql and the driver more than SQLite itself (binding, locking, a result
// each time); a hundred rows of a few columns stay far below SQLite's limit of 32,766 variables.
const InsertChunk = 100

// Inserter collects rows for one table and inserts them with multi-row INSERT statements, chunk
// rows at a time, prepared once per size in its Stmts. Rows are written in the order they were
// added; the last, partial chunk only by Flush. Reads of the same table inside the transaction
// see a row only after it was flushed.
type Inserter struct {
	s     *Stmts
	head  string // "INSERT INTO {table} (a, b) VALUES"
	tail  string // after the rows: "ON CONFLICT …", or empty
	width int    // columns per row
	chunk int
	full  string // the statement of a full chunk
	args  []any

	table   string   // the table and columns of head, for AddNew; table empty when head is not a plain INSERT INTO
	columns []string //
}

// insertHead is a plain "INSERT INTO table (columns) VALUES".
var insertHead = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+(\S+)\s*\(([^)]*)\)\s*VALUES\s*$`)

// NewInserter returns an Inserter that runs head ("INSERT INTO {table} (a, b, c) VALUES", or
// "INSERT OR REPLACE …") with rows of width values, chunk rows per statement (0: InsertChunk).
func NewInserter(s *Stmts, head string, width, chunk int) *Inserter {
	if chunk <= 0 {
		chunk = InsertChunk
	}
	in := &Inserter{s: s, head: head, width: width, chunk: chunk}
	if t := plainHead(head); len(t.columns) == width {
		in.table, in.columns = t.table, t.columns
	}
	return in
}

// headTable is the table and columns of a plain "INSERT INTO table (columns) VALUES" (none for
// another head).
type headTable struct {
	table   string
	columns []string
}

// plainHeads holds the heads plainHead parsed: read models make an Inserter per batch, and a
// rebuild calls ApplyBatch once per part of 1,000 events.
var plainHeads sync.Map // head → headTable

// plainHead returns the table and columns of head if it is a plain INSERT INTO.
func plainHead(head string) headTable {
	if t, ok := plainHeads.Load(head); ok {
		return t.(headTable)
	}
	var t headTable
	if m := insertHead.FindStringSubmatch(head); m != nil {
		t.table = m[1]
		for _, c := range strings.Split(m[2], ",") {
			t.columns = append(t.columns, strings.TrimSpace(c))
		}
	}
	plainHeads.Store(head, t)
	return t
}

// OnConflict sets the upsert clause that follows the rows ("ON CONFLICT (a) DO UPDATE SET …")
// and returns in. SQLite applies it row by row, so a statement's rows must not share a key when
// the clause reads the row it updates.
func (in *Inserter) OnConflict(clause string) *Inserter {
	in.tail = " " + clause
	in.full = ""
	return in
}

// Add adds a row of exactly width values, inserting a full chunk when one is ready.
func (in *Inserter) Add(row ...any) error {
	if len(row) != in.width {
		return fmt.Errorf("runner: insert: a row of %d values, want %d", len(row), in.width)
	}
	if in.args == nil {
		// Room for a few rows first: many batches add only a few (or only new rows, copied).
		in.args = make([]any, 0, in.width*min(in.chunk, 8))
	}
	in.args = append(in.args, row...)
	if len(in.args) < in.width*in.chunk {
		return nil
	}
	return in.Flush()
}

// AddNew adds a row the caller knows is not in the table and that no statement run or queued
// before it in the transaction writes or reads (in a rebuild pass: a row the pass has not
// written; see Pass). In a rebuild page on a connection that copies (a Copier: PostgreSQL) the
// row is copied into the table, cheaper than an insert and without the conflict clause, ahead of
// the statements queued so far and of this Inserter's rows not yet flushed; it is in the table
// for every statement queued after it. Elsewhere, and when head is not a plain "INSERT INTO
// {table} (columns) VALUES", it is Add.
func (in *Inserter) AddNew(row ...any) error {
	if len(row) != in.width {
		return fmt.Errorf("runner: insert: a row of %d values, want %d", len(row), in.width)
	}
	if in.table == "" {
		return in.Add(row...)
	}
	copied, err := in.s.copyRow(in.table, in.columns, row)
	if err != nil || copied {
		return err
	}
	return in.Add(row...)
}

// Flush inserts the rows added since the last insert, if any.
func (in *Inserter) Flush() error {
	n := len(in.args) / in.width
	if n == 0 {
		return nil
	}
	query := in.full
	if n != in.chunk || query == "" {
		query = in.statement(n)
	}
	if n == in.chunk {
		in.full = query
	}
	err := in.s.Exec(query, in.args...)
	clear(in.args) // let the values go
	in.args = in.args[:0]
	return err
}

// statement returns head followed by n groups of width placeholders.
func (in *Inserter) statement(n int) string {
	row := "(" + strings.Repeat("?, ", in.width-1) + "?)"
	var b strings.Builder
	b.Grow(len(in.head) + n*(len(row)+2) + len(in.tail))
	b.WriteString(in.head)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" ")
		b.WriteString(row)
	}
	b.WriteString(in.tail)
	return b.String()
}
