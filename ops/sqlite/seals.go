package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// MerkleTiles keeps the log's Merkle tree as tiles (table merkle_tiles): one row per tile level
// and index, the tile written last, whatever its width. It implements workflows/seal's TileStore.
type MerkleTiles struct{ s *Store }

// MerkleTiles returns the tree's tile table.
func (s *Store) MerkleTiles() *MerkleTiles { return &MerkleTiles{s: s} }

// ReadTiles returns the hashes of each tile, cut to its width; a tile missing or stored narrower
// is an error.
func (m *MerkleTiles) ReadTiles(ctx context.Context, tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	if len(tiles) == 0 {
		return out, nil
	}
	conn, err := m.s.rdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st, err := conn.PrepareContext(ctx, `SELECT hashes FROM merkle_tiles WHERE level = ? AND idx = ?`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read tree tiles: %w", err)
	}
	defer st.Close()
	for i, t := range tiles {
		var data []byte
		if err := st.QueryRowContext(ctx, t.L, t.N).Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlite: tree tile %s: %w", t.Path(), err)
		}
		if len(data) < t.W*tlog.HashSize {
			return nil, fmt.Errorf("sqlite: tree tile %s holds %d hashes, fewer than %d", t.Path(), len(data)/tlog.HashSize, t.W)
		}
		out[i] = data[:t.W*tlog.HashSize]
	}
	return out, nil
}

// WriteTiles stores the tiles, each replacing the stored one of its level and index, in one
// transaction.
func (m *MerkleTiles) WriteTiles(ctx context.Context, tiles []tlog.Tile, data [][]byte) error {
	if len(tiles) != len(data) {
		return fmt.Errorf("sqlite: %d tiles, %d data", len(tiles), len(data))
	}
	v := m.s.Vault()
	if v == nil {
		return errors.New("sqlite: the store is read-only")
	}
	tx, err := v.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO merkle_tiles (level, idx, hashes) VALUES (?, ?, ?)
		ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, t := range tiles {
		if len(data[i]) != t.W*tlog.HashSize {
			return fmt.Errorf("sqlite: tree tile %s: %d bytes, want %d", t.Path(), len(data[i]), t.W*tlog.HashSize)
		}
		if _, err := st.ExecContext(ctx, t.L, t.N, data[i]); err != nil {
			return fmt.Errorf("sqlite: store tree tile %s: %w", t.Path(), err)
		}
	}
	return tx.Commit()
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
