package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/civicflow/civicflow/ops/postgres/postgrestest"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/projections/runner"
)

// The read models' PostgreSQL connections copy rows (runner.Copier) in their transaction with
// every value as it was given: text with the characters COPY's text format escapes, NULL, bools
// as 1 and 0, integers and floats at their limits, bytes; a value of a type it cannot write is
// refused, and nothing is copied.
func TestCopyRows_loads_every_value_as_given(t *testing.T) {
	ctx := context.Background()
	url, schema := postgrestest.Schema(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	db := storage.OpenPostgresReadModels(pool)
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE copied (n BIGINT PRIMARY KEY, s TEXT, f DOUBLE PRECISION, b BYTEA)`); err != nil {
		t.Fatal(err)
	}
	texts := []any{"plain", "", "tab\there", "line\nbreak\r\n", `back\slash \N \\x`, "umlaut ä – “quoted”", nil, strings.Repeat("long\\\t", 5000)}
	floats := []any{0.1, -2.5e300, math.Inf(1), math.Inf(-1), 5e-324, float32(1.5), nil, math.MaxFloat64}
	ints := []any{int64(math.MaxInt64), int64(math.MinInt64), 3, int32(-7), uint16(9), true, false, uint64(12)}
	blobs := []any{[]byte{0, 1, '\\', '\n', 0xff}, []byte{}, nil, []byte("x"), []byte(nil), []byte{9}, []byte("\\x00"), []byte{0x80}}
	var values []any
	for i := range texts {
		values = append(values, ints[i], texts[i], floats[i], blobs[i])
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	copyRows := func(rows runner.CopyRows) error {
		return conn.Raw(func(dc any) error { return dc.(runner.Copier).CopyRows(ctx, rows) })
	}
	if err := copyRows(runner.CopyRows{Table: "copied", Columns: []string{"n", "s", "f", "b"}, Values: values}); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT n, s, f, b FROM copied`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64][]any{}
	for rows.Next() {
		var n int64
		var s sql.NullString
		var f sql.NullFloat64
		var b []byte
		if err := rows.Scan(&n, &s, &f, &b); err != nil {
			t.Fatal(err)
		}
		got[n] = []any{s, f, b}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("%d rows, want %d", len(got), len(texts))
	}
	for i := range texts {
		n := map[any]int64{true: 1, false: 0}[ints[i]]
		switch v := ints[i].(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		case int32:
			n = int64(v)
		case uint16:
			n = int64(v)
		case uint64:
			n = int64(v)
		}
		row, ok := got[n]
		if !ok {
			t.Fatalf("row %d (%v) missing", i, ints[i])
		}
		s, f, b := row[0].(sql.NullString), row[1].(sql.NullFloat64), row[2].([]byte)
		if want, ok := texts[i].(string); s.Valid != ok || s.String != want {
			t.Errorf("row %d: text %q (valid %v), want %q", i, s.String, s.Valid, texts[i])
		}
		var wantF float64
		switch v := floats[i].(type) {
		case float64:
			wantF = v
		case float32:
			wantF = float64(v)
		}
		if f.Valid != (floats[i] != nil) || f.Float64 != wantF {
			t.Errorf("row %d: float %v (valid %v), want %v", i, f.Float64, f.Valid, floats[i])
		}
		wantB, _ := blobs[i].([]byte)
		if (b == nil) != (wantB == nil) || !bytes.Equal(b, wantB) {
			t.Errorf("row %d: bytes %q, want %q", i, b, wantB)
		}
	}

	err = copyRows(runner.CopyRows{Table: "copied", Columns: []string{"n", "s"}, Values: []any{int64(100), "kept?", int64(101), struct{}{}}})
	if err == nil || !strings.Contains(err.Error(), "struct {}") {
		t.Fatalf("a value of an unknown type: %v, want it refused", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM copied WHERE n IN (100, 101)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d rows copied from a refused copy, want none", n)
	}
}
