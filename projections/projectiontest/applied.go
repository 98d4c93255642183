package projectiontest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/runner"
)

// Applied applies the batches in order to fresh tables of p (ApplyBatch per batch when p has it,
// else Apply per event) in one transaction of db (of dialect d), rolled back after, and returns every row of
// every table in the order of its columns, each value with its type: what a read model holds
// after exactly these batches, to compare with another split of the same events.
func Applied(t testing.TB, db *sql.DB, d runner.Dialect, p runner.Projection, batches ...[]eventstore.Event) string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tb := runner.TablesOf(p.Name()+"_applied", 1)
	for _, q := range p.Schema(tb) {
		if _, err := tx.ExecContext(ctx, d.Schema(q)); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range batches {
		if ba, ok := p.(runner.BatchApplier); ok {
			err = ba.ApplyBatch(ctx, tx, tb, b)
		} else {
			for _, e := range b {
				if err = p.Apply(ctx, tx, tb, e); err != nil {
					break
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	names, err := tx.QueryContext(ctx, d.TablesQuery(), len(tb)+1, string(tb)+"_")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := names.Close(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&out, "table %s\n", strings.TrimPrefix(table, string(tb)+"_"))
		dump(t, tx, d, table, &out)
	}
	return out.String()
}

// dump writes every row of table, ordered by all its columns, one line each.
func dump(t testing.TB, tx *sql.Tx, d runner.Dialect, table string, out *strings.Builder) {
	t.Helper()
	columns := `SELECT count(*) FROM pragma_table_info(?)`
	if d == runner.PostgreSQL {
		columns = `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`
	}
	var cols int
	if err := tx.QueryRow(columns, table).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	order := make([]string, cols)
	for i := range order {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := tx.Query(`SELECT * FROM "` + table + `" ORDER BY ` + strings.Join(order, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals, ptrs := make([]any, cols), make([]any, cols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			text := fmt.Sprint(v)
			if raw, ok := v.([]byte); ok {
				text = string(raw)
			}
			fmt.Fprintf(out, " %T(%q)", v, text)
		}
		out.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
