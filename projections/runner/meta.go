package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// metaSchema holds the runner's own tables: which build of each read model readers use, and each
// build's checkpoint. They are apart from the event consumers' checkpoints table.
var metaSchema = []string{
	`CREATE TABLE IF NOT EXISTS projection_versions (
		name           TEXT PRIMARY KEY,
		active_version INTEGER NOT NULL,
		code_version   INTEGER NOT NULL,
		updated_at     TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS projection_checkpoints (
		name       TEXT NOT NULL,
		version    INTEGER NOT NULL,
		position   TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		PRIMARY KEY (name, version)
	)`,
}

// Tables names the tables of one build of a read model: "<name>_v<build>".
type Tables string

// TablesOf returns the table prefix of a read model's build.
func TablesOf(name string, build int) Tables { return Tables(fmt.Sprintf("%s_v%d", name, build)) }

// T returns the name of one table of the build, e.g. T("process") = "process_overview_v2_process".
func (t Tables) T(table string) string { return string(t) + "_" + table }

// Q replaces every "{name}" in a statement with the table T("name").
func (t Tables) Q(stmt string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(stmt, '{')
		j := strings.IndexByte(stmt, '}')
		if i < 0 || j < i {
			b.WriteString(stmt)
			return b.String()
		}
		b.WriteString(stmt[:i])
		b.WriteString(t.T(stmt[i+1 : j]))
		stmt = stmt[j+1:]
	}
}

// ErrNotBuilt means a read model has no active build yet: the runner has not started it.
var ErrNotBuilt = errors.New("runner: read model not built yet")

// Queryer is what readers need: a query-only pool is enough.
type Queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Active returns the tables readers use for a read model and the position they are current to,
// read through q (use a read transaction so that the tables and the position agree).
func Active(ctx context.Context, q Queryer, name string) (Tables, eventstore.Position, error) {
	var build int
	var pos string
	err := q.QueryRowContext(ctx, `SELECT v.active_version, coalesce(c.position, '0') FROM projection_versions v
		LEFT JOIN projection_checkpoints c ON c.name = v.name AND c.version = v.active_version WHERE v.name = ?`, name).Scan(&build, &pos)
	if errors.Is(err, sql.ErrNoRows) || (err != nil && strings.Contains(err.Error(), "no such table")) {
		return "", eventstore.Start, fmt.Errorf("%w: %s", ErrNotBuilt, name)
	}
	if err != nil {
		return "", eventstore.Start, fmt.Errorf("runner: active build of %s: %w", name, err)
	}
	p, err := eventstore.ParsePosition(pos)
	if err != nil {
		return "", eventstore.Start, err
	}
	return TablesOf(name, build), p, nil
}

func ensureMeta(ctx context.Context, db DB, d Dialect) error {
	return inTx(ctx, db, func(tx *sql.Tx) error {
		for _, s := range metaSchema {
			if _, err := tx.ExecContext(ctx, d.Schema(s)); err != nil {
				return fmt.Errorf("runner: create meta tables: %w", err)
			}
		}
		return nil
	})
}

// activeBuild returns the active build and its code version; 0, 0 when there is none.
func activeBuild(ctx context.Context, tx *sql.Tx, name string) (build, code int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT active_version, code_version FROM projection_versions WHERE name = ?`, name).Scan(&build, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return build, code, err
}

func loadCheckpoint(ctx context.Context, tx *sql.Tx, name string, build int) (eventstore.Position, error) {
	var text string
	err := tx.QueryRowContext(ctx, `SELECT position FROM projection_checkpoints WHERE name = ? AND version = ?`, name, build).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return eventstore.Start, fmt.Errorf("runner: load checkpoint of %s v%d: %w", name, build, err)
	}
	return eventstore.ParsePosition(text)
}

func saveCheckpoint(ctx context.Context, tx *sql.Tx, name string, build int, pos eventstore.Position) error {
	st := checkpointStatement(name, build, pos)
	_, err := tx.ExecContext(ctx, st.Query, st.Args...)
	if err != nil {
		return fmt.Errorf("runner: save checkpoint of %s v%d: %w", name, build, err)
	}
	return nil
}

// checkpointStatement is the statement that saves a build's checkpoint.
func checkpointStatement(name string, build int, pos eventstore.Position) Statement {
	return Statement{Query: `INSERT INTO projection_checkpoints (name, version, position, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name, version) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
		Args: []any{name, build, pos.String(), time.Now().UTC().Format(time.RFC3339Nano)}}
}

// dropBuild drops every table and index whose name starts with the build's prefix.
//
// It drops them with secure_delete off on this connection and sets it back afterwards (within tx).
// ops/sqlite turns secure_delete on for every write connection for the sake of erasure: a
// person's key deleted from the vault must not stay readable in freed pages (with a WAL
// checkpoint, so that no copy stays in the WAL either). The flag belongs to one connection, so the
// vault's and the event writer's deletions still overwrite. A read model's tables hold no
// plaintext personal data (that lives only sealed in the events; read models keep pseudonymous IDs,
// groups, counts and titles), so their freed pages need no overwriting; with it, dropping a
// large build wrote every one of its pages again, into the WAL and then into the file.
// (PostgreSQL has no such setting: DROP TABLE removes the files.)
func dropBuild(ctx context.Context, tx *sql.Tx, d Dialect, t Tables) error {
	return withPragma(ctx, tx, d, "secure_delete", "0", func() error { return dropTables(ctx, tx, d, t) })
}

func dropTables(ctx context.Context, tx *sql.Tx, d Dialect, t Tables) error {
	rows, err := tx.QueryContext(ctx, d.TablesQuery(), len(t)+1, string(t)+"_")
	if err != nil {
		return fmt.Errorf("runner: list tables of %s: %w", t, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if d == PostgreSQL && len(names) > 0 {
		// One statement for all (SQLite drops one table per statement).
		if _, err := tx.ExecContext(ctx, `DROP TABLE "`+strings.Join(names, `", "`)+`"`); err != nil {
			return fmt.Errorf("runner: drop %s: %w", t, err)
		}
		return nil
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP TABLE "`+n+`"`); err != nil {
			return fmt.Errorf("runner: drop %s: %w", n, err)
		}
	}
	return nil
}

// withPragma runs fn with the connection's PRAGMA name set to value, and sets it back to what it
// was afterwards, within tx (so on the same connection). Only for pragmas that may change inside a
// transaction (cache_size, secure_delete). PostgreSQL has no pragmas: fn just runs.
func withPragma(ctx context.Context, tx *sql.Tx, d Dialect, name, value string, fn func() error) error {
	if d != SQLite {
		return fn()
	}
	var was string
	if err := tx.QueryRowContext(ctx, "PRAGMA "+name).Scan(&was); err != nil {
		return fmt.Errorf("runner: read PRAGMA %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA "+name+" = "+value); err != nil {
		return fmt.Errorf("runner: PRAGMA %s = %s: %w", name, value, err)
	}
	err := fn()
	if _, rerr := tx.ExecContext(ctx, "PRAGMA "+name+" = "+was); rerr != nil && err == nil {
		err = fmt.Errorf("runner: set PRAGMA %s back to %s: %w", name, was, rerr)
	}
	return err
}

// withConnPragma sets a connection setting (PRAGMA name = value) of db's one connection while fn
// runs, and sets it back as it was, also when ctx ends meanwhile. PostgreSQL has no pragmas: fn
// just runs.
func withConnPragma(ctx context.Context, db DB, d Dialect, name, value string, fn func() error) error {
	if d != SQLite {
		return fn()
	}
	var was string
	err := inTx(ctx, db, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "PRAGMA "+name).Scan(&was); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "PRAGMA "+name+" = "+value)
		return err
	})
	if err != nil {
		return fmt.Errorf("runner: PRAGMA %s = %s: %w", name, value, err)
	}
	err = fn()
	bg := context.WithoutCancel(ctx)
	if rerr := inTx(bg, db, func(tx *sql.Tx) error { _, err := tx.ExecContext(bg, "PRAGMA "+name+" = "+was); return err }); rerr != nil {
		err = errors.Join(err, fmt.Errorf("runner: set PRAGMA %s back to %s: %w", name, was, rerr))
	}
	return err
}

func inTx(ctx context.Context, db DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
