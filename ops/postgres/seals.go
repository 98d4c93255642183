package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"
)

// MerkleHashes keeps the stored hashes of the log's Merkle tree (table merkle_hashes), a cache
// for inclusion proofs that verification recomputes.
type MerkleHashes struct{ s *Store }

// MerkleHashes returns the tree's hash table.
func (s *Store) MerkleHashes() *MerkleHashes { return &MerkleHashes{s: s} }

// Count is how many stored hashes there are.
func (m *MerkleHashes) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := m.s.pool.QueryRow(ctx, `SELECT count(*) FROM merkle_hashes`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count tree hashes: %w", err)
	}
	return n, nil
}

// ReadHashes returns the stored hashes at the indexes.
func (m *MerkleHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	rows, err := m.s.pool.Query(context.Background(), `SELECT idx, hash FROM merkle_hashes WHERE idx = ANY($1)`, indexes)
	if err != nil {
		return nil, fmt.Errorf("postgres: read tree hashes: %w", err)
	}
	found := map[int64]tlog.Hash{}
	var idx int64
	var h []byte
	_, err = pgx.ForEachRow(rows, []any{&idx, &h}, func() error {
		if len(h) != tlog.HashSize {
			return fmt.Errorf("postgres: tree hash %d has %d bytes", idx, len(h))
		}
		found[idx] = tlog.Hash(h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read tree hashes: %w", err)
	}
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("postgres: tree hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// Append stores hashes at the next indexes, in one transaction. Two instances appending at once
// collide on the indexes: one fails and changes nothing.
func (m *MerkleHashes) Append(ctx context.Context, hashes []tlog.Hash) error {
	tx, err := m.s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: store tree hashes: %w", err)
	}
	defer tx.Rollback(ctx)
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM merkle_hashes`).Scan(&n); err != nil {
		return fmt.Errorf("postgres: store tree hashes: %w", err)
	}
	rows := make([][]any, len(hashes))
	for i, h := range hashes {
		rows[i] = []any{n + int64(i), h[:]}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"merkle_hashes"}, []string{"idx", "hash"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgres: store tree hashes: %w", err)
	}
	return tx.Commit(ctx)
}

// Reset removes every stored hash (the sealer rebuilds a damaged cache from the records).
func (m *MerkleHashes) Reset(ctx context.Context) error {
	if _, err := m.s.pool.Exec(ctx, `DELETE FROM merkle_hashes`); err != nil {
		return fmt.Errorf("postgres: reset tree hashes: %w", err)
	}
	return nil
}

// Seals records signed tree heads (table seals).
type Seals struct{ s *Store }

// Seals returns the seal table.
func (s *Store) Seals() *Seals { return &Seals{s: s} }

// Record stores a signed head; one already recorded for the same size stays.
func (x *Seals) Record(ctx context.Context, size int64, signed []byte, at time.Time) error {
	_, err := x.s.pool.Exec(ctx, `INSERT INTO seals (size, signed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (size) DO NOTHING`, size, string(signed), at.UTC())
	if err != nil {
		return fmt.Errorf("postgres: record seal: %w", err)
	}
	return nil
}

// List returns every signed head, smallest tree first.
func (x *Seals) List(ctx context.Context) ([][]byte, error) {
	rows, err := x.s.pool.Query(ctx, `SELECT signed FROM seals ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list seals: %w", err)
	}
	var out [][]byte
	var s string
	_, err = pgx.ForEachRow(rows, []any{&s}, func() error {
		out = append(out, []byte(s))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list seals: %w", err)
	}
	return out, nil
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
