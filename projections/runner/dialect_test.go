package runner_test

import (
	"testing"

	"github.com/civicflow/civicflow/projections/runner"
)

func TestDialect_Rebind(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"numbers_placeholders_in_order", `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{"keeps_question_marks_in_literals", `SELECT '?', 'it''s ?' FROM t WHERE x = ?`, `SELECT '?', 'it''s ?' FROM t WHERE x = $1`},
		{"keeps_question_marks_in_quoted_names", `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"keeps_question_marks_in_comments", "SELECT 1 -- why?\nFROM t /* or? */ WHERE x = ?", "SELECT 1 -- why?\nFROM t /* or? */ WHERE x = $1"},
		{"multi_row_insert", `INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT (a) DO UPDATE SET b = t.b || excluded.b`,
			`INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT (a) DO UPDATE SET b = t.b || excluded.b`},
		{"unterminated_literal_stays", `SELECT 'a?`, `SELECT 'a?`},
		{"no_placeholders", `SELECT 1`, `SELECT 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runner.PostgreSQL.Rebind(tt.in); got != tt.want {
				t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := runner.SQLite.Rebind(tt.in); got != tt.in {
				t.Errorf("SQLite's Rebind changed %q to %q", tt.in, got)
			}
		})
	}
}

func TestDialect_Schema(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"types_and_without_rowid",
			`CREATE TABLE x_v1_p (process TEXT NOT NULL, id TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0, b BLOB, r REAL, PRIMARY KEY (process, id)) WITHOUT ROWID`,
			`CREATE TABLE x_v1_p (process TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, n BIGINT NOT NULL DEFAULT 0, b BYTEA, r DOUBLE PRECISION, PRIMARY KEY (process, id))`},
		{"names_containing_type_words_stay", `CREATE TABLE texts (integer_count INTEGER, context TEXT)`,
			`CREATE TABLE texts (integer_count BIGINT, context TEXT COLLATE "C")`},
		{"index_unchanged", `CREATE INDEX x_v1_i ON x_v1_p (process)`, `CREATE INDEX x_v1_i ON x_v1_p (process)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runner.PostgreSQL.Schema(tt.in); got != tt.want {
				t.Errorf("Schema =\n%s\nwant\n%s", got, tt.want)
			}
			if got := runner.SQLite.Schema(tt.in); got != tt.in {
				t.Errorf("SQLite's Schema changed %q to %q", tt.in, got)
			}
		})
	}
}
