package storecopy

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/seal"
)

// ErrMismatch means the target does not hold what the source holds. The error names the table.
var ErrMismatch = errors.New("storecopy: the target differs from the source")

// ErrNoKey means the source holds seals but no public key was given to check the copy's.
var ErrNoKey = errors.New("storecopy: the seals cannot be checked without the seal's public key")

// Checked says what Verify checked.
type Checked struct {
	// Counts are the target's rows per table, equal to the source's.
	Counts Counts
	// Heads are the signed tree heads checked against the target's log (none when there are no seals).
	Heads []seal.Head
}

// Verify checks the target after a copy: its log (positions contiguous up to its head, every row
// equal to its record, every chain), the rows of every copied table against the source's, the
// seals byte for byte against the source's, and every seal's signature and root against the
// tree recomputed from the target's log (with key; ErrNoKey when there are seals and no key).
func Verify(ctx context.Context, src *sqlite.Store, dst *postgres.Store, key note.Verifier) (Checked, error) {
	var out Checked
	if err := dst.Verify(ctx); err != nil {
		return out, fmt.Errorf("storecopy: the target's log: %w", err)
	}
	want, err := sourceCounts(ctx, src)
	if err != nil {
		return out, err
	}
	got, err := targetCounts(ctx, dst.Pool())
	if err != nil {
		return out, err
	}
	for i, t := range got.tables() {
		if w := *want.tables()[i].n; *t.n != w {
			return out, fmt.Errorf("%w: %s: the source has %d rows, the target %d", ErrMismatch, t.name, w, *t.n)
		}
	}
	out.Counts = got
	heads, err := sameSeals(ctx, src, dst)
	if err != nil || len(heads) == 0 {
		return out, err
	}
	if key == nil {
		return out, fmt.Errorf("%w (%d seals)", ErrNoKey, len(heads))
	}
	res, err := seal.Verify(ctx, seal.VerifyConfig{Store: dst, Heads: heads, Key: key, Cache: seal.TileHashes(dst.MerkleTiles())})
	if err != nil {
		return out, fmt.Errorf("storecopy: the target's seals: %w", err)
	}
	out.Heads = res.Heads
	return out, nil
}

// sameSeals returns the target's signed heads after checking that they are the source's.
func sameSeals(ctx context.Context, src *sqlite.Store, dst *postgres.Store) ([][]byte, error) {
	from, err := src.Seals().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("storecopy: the source's seals: %w", err)
	}
	to, err := dst.Seals().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("storecopy: the target's seals: %w", err)
	}
	for i := range from {
		if i >= len(to) || !bytes.Equal(from[i], to[i]) {
			return nil, fmt.Errorf("%w: seals: the source's seal %d is not the target's", ErrMismatch, i+1)
		}
	}
	return to, nil
}

// sourceCounts counts the source's rows: its events up to its head, and every other table.
func sourceCounts(ctx context.Context, src *sqlite.Store) (Counts, error) {
	var c Counts
	head, err := src.Head(ctx)
	if err != nil {
		return c, fmt.Errorf("storecopy: the source's head: %w", err)
	}
	c.Events = int64(head.Commit())
	db := src.ProjectionReadDB()
	for _, t := range tables {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(t.count(&c)); err != nil {
			return c, fmt.Errorf("storecopy: count the source's %s: %w", t.name, err)
		}
	}
	return c, nil
}
