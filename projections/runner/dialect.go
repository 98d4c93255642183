package runner

import (
	"regexp"
	"strconv"
	"strings"
)

// Dialect is the SQL dialect of the database that holds the read models and their checkpoints.
//
// The read models write one SQL that both dialects run: "?" placeholders (the PostgreSQL
// connection rewrites them, see Rebind), INSERT … ON CONFLICT (key) DO UPDATE/NOTHING for
// upserts, columns of the target table qualified by its name inside DO UPDATE. What differs is
// translated here: their CREATE statements (Schema) and the catalog of tables. The PostgreSQL
// connection (ops/storage) also begins every transaction REPEATABLE READ, so that a reader sees
// the tables and the checkpoint at one snapshot as SQLite's transactions do.
type Dialect int

// The dialects.
const (
	// SQLite is the embedded store's file (ops/sqlite's ProjectionDB).
	SQLite Dialect = iota
	// PostgreSQL is the PostgreSQL backend's schema (ops/storage opens it).
	PostgreSQL
)

// String names the dialect.
func (d Dialect) String() string {
	if d == PostgreSQL {
		return "postgresql"
	}
	return "sqlite"
}

var (
	pgInteger = regexp.MustCompile(`\bINTEGER\b`)
	pgText    = regexp.MustCompile(`\bTEXT\b`)
	pgBlob    = regexp.MustCompile(`\bBLOB\b`)
	pgReal    = regexp.MustCompile(`\bREAL\b`)
	noRowID   = regexp.MustCompile(`\)\s*WITHOUT\s+ROWID\s*$`)
)

// Schema translates a read model's CREATE statement (written for SQLite) into the dialect:
// for PostgreSQL, INTEGER becomes BIGINT, TEXT TEXT COLLATE "C", BLOB BYTEA, REAL DOUBLE
// PRECISION, and WITHOUT ROWID (a SQLite storage choice) is dropped. SQLite's are kept as they
// are.
func (d Dialect) Schema(stmt string) string {
	if d != PostgreSQL {
		return stmt
	}
	stmt = noRowID.ReplaceAllString(stmt, ")")
	stmt = pgInteger.ReplaceAllString(stmt, "BIGINT")
	stmt = pgText.ReplaceAllString(stmt, `TEXT COLLATE "C"`)
	stmt = pgBlob.ReplaceAllString(stmt, "BYTEA")
	return pgReal.ReplaceAllString(stmt, "DOUBLE PRECISION")
}

// TablesQuery lists the tables whose names start with a prefix (argument 1: its length,
// argument 2: the prefix), sorted.
func (d Dialect) TablesQuery() string {
	if d == PostgreSQL {
		// pg_class rather than information_schema.tables, whose view costs milliseconds a call.
		return `SELECT c.relname FROM pg_catalog.pg_class c
			WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = current_schema())
			AND c.relkind IN ('r', 'p') AND substr(c.relname, 1, ?) = ? ORDER BY c.relname`
	}
	return `SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, ?) = ? ORDER BY name`
}

// columnsQuery lists a table's columns (argument 1: its name) in their order, each with its place
// in the primary key (1, 2, …; 0 for a column outside it).
func (d Dialect) columnsQuery() string {
	if d == PostgreSQL {
		return `SELECT c.column_name, coalesce(k.ordinal_position, 0) FROM information_schema.columns c
			LEFT JOIN information_schema.table_constraints p ON p.table_schema = c.table_schema AND p.table_name = c.table_name
				AND p.constraint_type = 'PRIMARY KEY'
			LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = p.constraint_schema
				AND k.constraint_name = p.constraint_name AND k.column_name = c.column_name
			WHERE c.table_schema = current_schema() AND c.table_name = ? ORDER BY c.ordinal_position`
	}
	return `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`
}

// bulkPage is the statement a rebuild's transactions before its switch run first, if any:
// PostgreSQL commits them without waiting for their write-ahead log to reach the disk (a crash
// may lose the last ones committed so, each whole or not at all). SQLite has none.
func (d Dialect) bulkPage() string {
	if d == PostgreSQL {
		return "SET LOCAL synchronous_commit = off"
	}
	return ""
}

// Rebind rewrites a statement's "?" placeholders into the dialect's: $1, $2, … for PostgreSQL.
// Question marks inside string literals, quoted identifiers and comments stay as they are.
func (d Dialect) Rebind(query string) string {
	if d != PostgreSQL || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := closing(query, i+1, c)
			b.WriteString(query[i:j])
			i = j - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// closing returns the index just after the quote q that closes a literal starting at i (a
// doubled quote inside stays inside), or len(s).
func closing(s string, i int, q byte) int {
	for ; i < len(s); i++ {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}
