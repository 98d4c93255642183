package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/civicflow/civicflow/projections/runner"
)

var _ runner.Copier = (*rebindConn)(nil)

// CopyRows loads rows into their table with COPY … FROM STDIN in the connection's transaction,
// in PostgreSQL's text format (encoded here, so that it takes one round trip and no lookup of
// the columns' types): bools as 1 and 0 as the read models store them, []byte as bytea's hex.
func (c *rebindConn) CopyRows(ctx context.Context, rows runner.CopyRows) error {
	if len(rows.Columns) == 0 || len(rows.Values)%len(rows.Columns) != 0 {
		return fmt.Errorf("postgres: copy into %s: %d values for %d columns", rows.Table, len(rows.Values), len(rows.Columns))
	}
	b := c.copyBuf[:0]
	for i, v := range rows.Values {
		var err error
		if b, err = appendCopyValue(b, v); err != nil {
			return fmt.Errorf("postgres: copy into %s: %w", rows.Table, err)
		}
		if (i+1)%len(rows.Columns) == 0 {
			b = append(b, '\n')
		} else {
			b = append(b, '\t')
		}
	}
	if cap(b) <= maxCopyBuf {
		c.copyBuf = b
	}
	_, err := c.Conn.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(b),
		"COPY "+rows.Table+" ("+strings.Join(rows.Columns, ", ")+") FROM STDIN")
	return err
}

// maxCopyBuf is the largest COPY buffer a connection keeps for the next copy.
const maxCopyBuf = 4 << 20

// appendCopyValue appends v in COPY's text format: NULL as \N, text with backslash, tab, newline
// and carriage return escaped; values of named types by their kind.
func appendCopyValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, `\N`...), nil
	case string:
		return appendCopyText(b, v), nil
	case []byte:
		if v == nil {
			return append(b, `\N`...), nil
		}
		b = append(b, `\\x`...)
		return hex.AppendEncode(b, v), nil
	case bool:
		return strconv.AppendInt(b, boolValue(v), 10), nil
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return appendCopyFloat(b, rv.Float()), nil
	case reflect.String:
		return appendCopyText(b, rv.String()), nil
	}
	return b, fmt.Errorf("a value of type %T", v)
}

// appendCopyFloat appends f as float8's input reads it back exactly.
func appendCopyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64) // NaN as "NaN"
}

// appendCopyText appends s with the characters COPY's text format gives a meaning escaped.
func appendCopyText(b []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, "\\\t\n\r")
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch s[i] {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		}
		s = s[i+1:]
	}
}
