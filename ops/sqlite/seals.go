package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// MerkleHashes keeps the stored hashes of the log's Merkle tree (table merkle_hashes).
type MerkleHashes struct{ s *Store }

// MerkleHashes returns the tree's hash table.
func (s *Store) MerkleHashes() *MerkleHashes { return &MerkleHashes{s: s} }

// Count is how many stored hashes there are.
func (m *MerkleHashes) Count(ctx context.Context) (int64, error) {
	var n int64
	err := m.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM merkle_hashes`).Scan(&n)
	return n, err
}

// ReadHashes returns the stored hashes at the indexes.
func (m *MerkleHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	args := make([]any, len(indexes))
	for i, x := range indexes {
		args[i] = x
	}
	rows, err := m.s.rdb.Query(`SELECT idx, hash FROM merkle_hashes WHERE idx IN (?`+strings.Repeat(",?", len(indexes)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read tree hashes: %w", err)
	}
	defer rows.Close()
	found := map[int64]tlog.Hash{}
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("sqlite: tree hash %d has %d bytes", idx, len(h))
		}
		found[idx] = tlog.Hash(h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("sqlite: tree hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// Append stores hashes at the next indexes, in one transaction.
func (m *MerkleHashes) Append(ctx context.Context, hashes []tlog.Hash) error {
	v := m.s.Vault()
	if v == nil {
		return errors.New("sqlite: the store is read-only")
	}
	tx, err := v.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM merkle_hashes`).Scan(&n); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO merkle_hashes (idx, hash) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, h := range hashes {
		if _, err := st.ExecContext(ctx, n+int64(i), h[:]); err != nil {
			return fmt.Errorf("sqlite: store tree hash: %w", err)
		}
	}
	return tx.Commit()
}

// Reset removes every stored hash (the sealer rebuilds a damaged cache from the records).
func (m *MerkleHashes) Reset(ctx context.Context) error {
	v := m.s.Vault()
	if v == nil {
		return errors.New("sqlite: the store is read-only")
	}
	_, err := v.db.ExecContext(ctx, `DELETE FROM merkle_hashes`)
	return err
}

// Seals records signed tree heads (table seals).
type Seals struct{ s *Store }

// Seals returns the seal table.
func (s *Store) Seals() *Seals { return &Seals{s: s} }

// Record stores a signed head.
func (x *Seals) Record(ctx context.Context, size int64, signed []byte, at time.Time) error {
	v := x.s.Vault()
	if v == nil {
		return errors.New("sqlite: the store is read-only")
	}
	_, err := v.db.ExecContext(ctx, `INSERT INTO seals (size, signed, created_at) VALUES (?, ?, ?)
		ON CONFLICT (size) DO NOTHING`, size, string(signed), at.UTC().Format(time.RFC3339Nano))
	return err
}

// List returns every signed head, smallest tree first.
func (x *Seals) List(ctx context.Context) ([][]byte, error) {
	rows, err := x.s.rdb.QueryContext(ctx, `SELECT signed FROM seals ORDER BY size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, []byte(s))
	}
	return out, rows.Err()
}
