package runner_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

func TestInserterWritesEveryRowInOrder(t *testing.T) {
	s, _ := projectiontest.Open(t, t.TempDir())
	db := s.ProjectionDB()
	ctx := context.Background()
	cases := []struct {
		name        string
		chunk, rows int
	}{
		{"no_rows", 4, 0},
		{"one_row", 4, 1},
		{"one_short_of_a_chunk", 4, 3},
		{"exactly_a_chunk", 4, 4},
		{"a_chunk_and_one", 4, 5},
		{"two_chunks_and_one", 4, 9},
		{"default_chunk_exactly", 0, runner.InsertChunk},
		{"default_chunk_and_one", 0, runner.InsertChunk + 1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tables := runner.TablesOf("inserter", i+1)
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tables.Q(`CREATE TABLE {row} (n INTEGER NOT NULL, text TEXT, seq INTEGER PRIMARY KEY AUTOINCREMENT)`)); err != nil {
				t.Fatal(err)
			}
			stmts := runner.NewStmts(ctx, tx, tables)
			defer stmts.Close()
			in := runner.NewInserter(stmts, `INSERT INTO {row} (n, text) VALUES`, 2, c.chunk)
			for n := range c.rows {
				if err := in.Add(n, fmt.Sprint("row ", n)); err != nil {
					t.Fatal(err)
				}
			}
			if err := in.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := in.Flush(); err != nil { // nothing left: no statement
				t.Fatal(err)
			}
			got := readRows(t, tx, tables.Q(`SELECT n, text FROM {row} ORDER BY seq`))
			if len(got) != c.rows {
				t.Fatalf("%d rows, want %d", len(got), c.rows)
			}
			for n, r := range got {
				if want := fmt.Sprint(n, " row ", n); r != want {
					t.Fatalf("row %d is %q, want %q", n, r, want)
				}
			}
		})
	}
	t.Run("upserts_with_its_conflict_clause", func(t *testing.T) {
		tables := runner.TablesOf("inserter", 100)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, tables.Q(`CREATE TABLE {row} (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`)); err != nil {
			t.Fatal(err)
		}
		stmts := runner.NewStmts(ctx, tx, tables)
		defer stmts.Close()
		in := runner.NewInserter(stmts, `INSERT INTO {row} (n, text) VALUES`, 2, 3).
			OnConflict(`ON CONFLICT (n) DO UPDATE SET text = text || excluded.text`)
		for _, batch := range [][]int{{0, 1, 2, 3}, {2, 3, 4}} {
			for _, n := range batch {
				if err := in.Add(n, fmt.Sprint("+", n)); err != nil {
					t.Fatal(err)
				}
			}
			if err := in.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		got := readRows(t, tx, tables.Q(`SELECT n, text FROM {row} ORDER BY n`))
		want := []string{"0 +0", "1 +1", "2 +2+2", "3 +3+3", "4 +4"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rows %q, want %q", got, want)
		}
	})
	t.Run("rejects_a_row_of_the_wrong_width", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		stmts := runner.NewStmts(ctx, tx, runner.TablesOf("inserter", 0))
		defer stmts.Close()
		if err := runner.NewInserter(stmts, `INSERT INTO {row} (n, text) VALUES`, 2, 4).Add(1); err == nil {
			t.Fatal("a row of one value was taken for two columns")
		}
	})
}

func readRows(t *testing.T, tx *sql.Tx, query string) []string {
	t.Helper()
	rows, err := tx.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var n int
		var text string
		if err := rows.Scan(&n, &text); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(n, " ", text))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
