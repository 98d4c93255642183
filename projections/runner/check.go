package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ErrMismatch means a read model differs from a fresh replay of the log. The error is a *Mismatch.
var ErrMismatch = errors.New("runner: read model differs from a replay of the log")

// Mismatch reports the first difference between a read model's active build and a fresh replay
// of the log up to the build's checkpoint.
type Mismatch struct {
	// ReadModel is the read model's name, e.g. "process_overview".
	ReadModel string
	// Position is the checkpoint of the active build: both sides cover the log up to it.
	Position eventstore.Position
	// Table is the table that differs, e.g. "process_overview_v2_process" ("" for the checkpoint).
	Table string
	// Row names the row by its primary key, e.g. "id=…" ("" when the whole table differs).
	Row string
	// Column is the column that differs ("" when a whole row is missing or extra).
	Column string
	// Stored and Replayed are the values found in the read model and in the replay.
	Stored, Replayed string
	// Problem says what is wrong in words.
	Problem string
}

func (m *Mismatch) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read model %s (checkpoint %s)", m.ReadModel, m.Position)
	if m.Table != "" {
		fmt.Fprintf(&b, ", table %s", m.Table)
	}
	if m.Row != "" {
		fmt.Fprintf(&b, ", row %s", m.Row)
	}
	if m.Column != "" {
		fmt.Fprintf(&b, ", column %s: stored %s, replay %s", m.Column, m.Stored, m.Replayed)
	}
	if m.Problem != "" {
		b.WriteString(": " + m.Problem)
	}
	return b.String()
}

// Unwrap returns ErrMismatch.
func (m *Mismatch) Unwrap() error { return ErrMismatch }

// CheckConfig configures Check.
type CheckConfig struct {
	// Store is the event log the read model is replayed from. Required.
	Store eventstore.Store
	// Live reads the read models' tables and checkpoints; a query-only pool (ops/sqlite's
	// ProjectionReadDB) is enough. One read transaction covers the whole comparison, so a
	// runner may go on writing meanwhile. Required.
	Live DB
	// Scratch is an empty database the replay is written into (an in-memory SQLite database).
	// Check creates the build's tables there and drops them again. Required.
	Scratch DB
	// Dialect is the SQL dialect of Live and Scratch. Default SQLite.
	Dialect Dialect
	// Process, when set, restricts the check to one process: only rows whose "process" column
	// (or, in the build's "process" table, whose "id") is this ID are compared, and the replay
	// skips the events of other processes' streams. Default: every row.
	Process string
}

// Validate reports every problem of the configuration at once.
func (c CheckConfig) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("runner: check: Store is required"))
	}
	if c.Live == nil {
		errs = append(errs, errors.New("runner: check: Live is required"))
	}
	if c.Scratch == nil {
		errs = append(errs, errors.New("runner: check: Scratch is required"))
	}
	return errors.Join(errs...)
}

// CheckResult says what a check compared.
type CheckResult struct {
	// ReadModel is the read model's name.
	ReadModel string
	// Position is the active build's checkpoint, up to which the log was replayed.
	Position eventstore.Position
	// Events is how many events were replayed.
	Events int64
	// Tables and Rows are how many tables and rows (of the read model) were compared.
	Tables int
	Rows   int64
}

// Check compares the active build of read model p with a fresh replay of the log up to the
// build's checkpoint: every row of every table, column by column. It returns the first
// difference as a *Mismatch (errors.Is(err, ErrMismatch)), ErrNotBuilt when the read model has
// no active build, or another error when the log or the tables cannot be read.
func Check(ctx context.Context, cfg CheckConfig, p Projection) (CheckResult, error) {
	res := CheckResult{ReadModel: p.Name()}
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	live, err := cfg.Live.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("runner: check %s: %w", p.Name(), err)
	}
	defer live.Rollback()
	t, pos, err := Active(ctx, live, p.Name())
	if err != nil {
		return res, err
	}
	res.Position = pos
	mismatch := func(m Mismatch) *Mismatch {
		m.ReadModel, m.Position = p.Name(), pos
		return &m
	}
	scratch, err := cfg.Scratch.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("runner: check %s: scratch database: %w", p.Name(), err)
	}
	defer scratch.Rollback() // nothing of the replay is kept
	if err := dropBuild(ctx, scratch, cfg.Dialect, t); err != nil {
		return res, err
	}
	for _, s := range p.Schema(t) {
		if _, err := scratch.ExecContext(ctx, cfg.Dialect.Schema(s)); err != nil {
			return res, fmt.Errorf("runner: check %s: create tables: %w", t, err)
		}
	}
	last, err := replay(ctx, cfg, p, t, scratch, pos, &res)
	if err != nil {
		return res, err
	}
	if last != pos {
		return res, mismatch(Mismatch{Problem: fmt.Sprintf("the checkpoint is not an event of the read model in the log (the log's last such event up to it is at %s): events were removed or moved", last)})
	}
	tables, err := tableNames(ctx, scratch, cfg.Dialect, t)
	if err != nil {
		return res, err
	}
	if m, err := extraTable(ctx, live, cfg.Dialect, t, tables); m != nil || err != nil {
		if m != nil {
			return res, mismatch(*m)
		}
		return res, err
	}
	for _, name := range tables {
		tc, err := compareTable(ctx, live, scratch, cfg.Dialect, t, name, cfg.Process)
		res.Rows += tc.rows
		if err != nil {
			return res, err
		}
		if tc.mismatch != nil {
			return res, mismatch(*tc.mismatch)
		}
		if !tc.skipped {
			res.Tables++
		}
	}
	return res, nil
}

// replay applies the log's events of p up to pos to the scratch tables and returns the position
// of the last event of p's filter at or before pos.
func replay(ctx context.Context, cfg CheckConfig, p Projection, t Tables, tx *sql.Tx, pos eventstore.Position, res *CheckResult) (eventstore.Position, error) {
	const page = 1000
	last, after := eventstore.Start, eventstore.Start
	own := "process-" + cfg.Process
	for {
		batch, err := cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: page, Filter: p.Filter()})
		if err != nil {
			return last, fmt.Errorf("runner: check %s: read the log after %s: %w", p.Name(), after, err)
		}
		for _, e := range batch {
			if e.Position.Compare(pos) > 0 {
				return last, nil
			}
			last = e.Position
			if cfg.Process != "" && strings.HasPrefix(e.Stream, "process-") && e.Stream != own {
				continue
			}
			if err := p.Apply(ctx, tx, t, e); err != nil {
				return last, fmt.Errorf("runner: check %s: replay %s at %s: %w", p.Name(), e.Type, e.Position, err)
			}
			res.Events++
		}
		if len(batch) < page {
			return last, nil
		}
		after = batch[len(batch)-1].Position
		eventstore.ReportProgress(ctx, int64(after.Commit()))
	}
}

func tableNames(ctx context.Context, tx *sql.Tx, d Dialect, t Tables) ([]string, error) {
	rows, err := tx.QueryContext(ctx, d.TablesQuery(), len(t)+1, string(t)+"_")
	if err != nil {
		return nil, fmt.Errorf("runner: check: list tables of %s: %w", t, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// extraTable reports a table of the build in the read model that the read model's schema does not make.
func extraTable(ctx context.Context, live *sql.Tx, d Dialect, t Tables, want []string) (*Mismatch, error) {
	have, err := tableNames(ctx, live, d, t)
	if err != nil {
		return nil, err
	}
	for _, n := range have {
		if i := sort.SearchStrings(want, n); i == len(want) || want[i] != n {
			return &Mismatch{Table: n, Problem: "the table is not part of the read model"}, nil
		}
	}
	return nil, nil
}

// column is one column of a table as the replay created it.
type column struct {
	name string
	pk   int // position in the primary key from 1; 0: not part of it
}

func columnsOf(ctx context.Context, tx *sql.Tx, d Dialect, table string) ([]column, error) {
	rows, err := tx.QueryContext(ctx, d.columnsQuery(), table)
	if err != nil {
		return nil, fmt.Errorf("runner: check: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.pk); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// rowKey returns the columns that name a row (the primary key; all columns without one), and
// every column in the order the rows are sorted by: the key first, then the rest.
func rowKey(cols []column) (key []string, order []string) {
	pk := make([]column, 0, len(cols))
	for _, c := range cols {
		if c.pk > 0 {
			pk = append(pk, c)
		}
	}
	sort.Slice(pk, func(i, j int) bool { return pk[i].pk < pk[j].pk })
	for _, c := range pk {
		key = append(key, c.name)
	}
	order = append(order, key...)
	for _, c := range cols {
		if c.pk == 0 {
			order = append(order, c.name)
		}
	}
	if len(key) == 0 {
		key = order
	}
	return key, order
}
