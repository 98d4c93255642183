package runner

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// tableCheck is what comparing one table found.
type tableCheck struct {
	rows     int64
	skipped  bool // not a table of one process's rows
	mismatch *Mismatch
}

// compareTable compares a table of the read model with the replay's, row by row in the order of
// the primary key and then every other column, and returns the first difference. With process
// set, only that process's rows are compared, and tables without them are skipped.
func compareTable(ctx context.Context, live, scratch *sql.Tx, d Dialect, t Tables, table, process string) (tableCheck, error) {
	var res tableCheck
	cols, err := columnsOf(ctx, scratch, d, table)
	if err != nil {
		return res, err
	}
	key, order := rowKey(cols)
	where, args := "", []any(nil)
	if process != "" {
		switch {
		case hasColumn(cols, "process"):
			where, args = ` WHERE "process" = ?`, []any{process}
		case table == t.T("process") && hasColumn(cols, "id"):
			where, args = ` WHERE "id" = ?`, []any{process}
		default:
			res.skipped = true
			return res, nil
		}
	}
	query := `SELECT ` + quoteAll(order) + ` FROM "` + table + `"` + where + ` ORDER BY ` + quoteAll(order)
	want, err := scratch.QueryContext(ctx, query, args...)
	if err != nil {
		return res, fmt.Errorf("runner: check: read the replay of %s: %w", table, err)
	}
	defer want.Close()
	got, err := live.QueryContext(ctx, query, args...)
	if err != nil {
		if msg := err.Error(); strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") || // SQLite
			strings.Contains(msg, "SQLSTATE 42P01") || strings.Contains(msg, "SQLSTATE 42703") { // PostgreSQL: undefined table, column
			res.mismatch = &Mismatch{Table: table, Problem: "the table does not have the read model's columns: " + msg}
			return res, nil
		}
		return res, fmt.Errorf("runner: check: read %s: %w", table, err)
	}
	defer got.Close()
	nkey := len(key)
	name := func(row []any) string {
		parts := make([]string, nkey)
		for i := range nkey {
			parts[i] = order[i] + "=" + format(row[i])
		}
		return strings.Join(parts, ", ")
	}
	for {
		g, err := nextRow(got, len(order))
		if err != nil {
			return res, fmt.Errorf("runner: check: read %s: %w", table, err)
		}
		w, err := nextRow(want, len(order))
		if err != nil {
			return res, fmt.Errorf("runner: check: read the replay of %s: %w", table, err)
		}
		if g == nil && w == nil {
			return res, nil
		}
		c := 0
		switch {
		case g == nil:
			c = 1
		case w == nil:
			c = -1
		default:
			c = compareRows(g[:nkey], w[:nkey])
		}
		if c < 0 {
			res.mismatch = &Mismatch{Table: table, Row: name(g), Problem: "the read model has a row that the replay does not produce"}
			return res, nil
		}
		if c > 0 {
			res.mismatch = &Mismatch{Table: table, Row: name(w), Problem: "the row is missing from the read model"}
			return res, nil
		}
		for i := range order {
			if compareValues(g[i], w[i]) != 0 {
				stored, replayed := differingLines(g[i], w[i])
				res.mismatch = &Mismatch{Table: table, Row: name(w), Column: order[i], Stored: stored, Replayed: replayed,
					Problem: "the stored value differs from the replay"}
				return res, nil
			}
		}
		res.rows++
	}
}

func hasColumn(cols []column, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
	}
	return strings.Join(q, ", ")
}

// nextRow returns the next row's values, nil after the last.
func nextRow(rows *sql.Rows, n int) ([]any, error) {
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

func compareRows(a, b []any) int {
	for i := range a {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compareValues orders values as SQLite does with the binary collation: NULL, then numbers
// (compared numerically), then text, then blobs.
func compareValues(a, b any) int {
	ca, cb := class(a), class(b)
	if ca != cb {
		return cmp.Compare(ca, cb)
	}
	switch ca {
	case 1:
		if x, ok := a.(int64); ok {
			if y, ok := b.(int64); ok {
				return cmp.Compare(x, y)
			}
		}
		return cmp.Compare(number(a), number(b))
	case 2:
		return strings.Compare(text(a), text(b))
	case 3:
		return bytes.Compare(a.([]byte), b.([]byte))
	}
	return 0
}

func class(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case int64, float64, int, bool:
		return 1
	case []byte:
		return 3
	}
	return 2
}

func number(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	case int:
		return float64(n)
	case bool:
		if n {
			return 1
		}
	}
	return 0
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// differingLines shows two differing values in a report: whole, or, when both are text of
// several lines (the audit timeline keeps a chunk of entries, one a line), the first line where
// they differ, "line N: …", or "(no line N)" for the shorter one.
func differingLines(stored, replayed any) (string, string) {
	a, aok := stored.(string)
	b, bok := replayed.(string)
	if !aok || !bok || !strings.Contains(a, "\n") && !strings.Contains(b, "\n") {
		return format(stored), format(replayed)
	}
	al, bl := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	line := func(lines []string) string {
		if i >= len(lines) || lines[i] == "" {
			return fmt.Sprintf("(no line %d)", i+1)
		}
		return fmt.Sprintf("line %d: %s", i+1, strconv.Quote(strings.TrimSuffix(lines[i], "\n")))
	}
	return line(al), line(bl)
}

// format shows a value in a report: NULL, a number, or quoted text.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return fmt.Sprintf("x'%x'", x)
	case string:
		return strconv.Quote(x)
	}
	return strconv.Quote(fmt.Sprint(v))
}
