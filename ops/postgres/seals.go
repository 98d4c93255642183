package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"
)

// MerkleTiles keeps the log's Merkle tree as tiles (table merkle_tiles): one row per tile level
// and index, the tile written last, whatever its width. It implements workflows/seal's TileStore.
type MerkleTiles struct{ s *Store }

// MerkleTiles returns the tree's tile table.
func (s *Store) MerkleTiles() *MerkleTiles { return &MerkleTiles{s: s} }

// ReadTiles returns the hashes of each tile, cut to its width, in one query; a tile missing or
// stored narrower is an error.
func (m *MerkleTiles) ReadTiles(ctx context.Context, tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	if len(tiles) == 0 {
		return out, nil
	}
	levels, idxs := make([]int32, len(tiles)), make([]int64, len(tiles))
	for i, t := range tiles {
		levels[i], idxs[i] = int32(t.L), t.N
	}
	rows, err := m.s.pool.Query(ctx, `SELECT k.ord, t.hashes FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS k(level, idx, ord)
		JOIN merkle_tiles t ON t.level = k.level AND t.idx = k.idx`, levels, idxs)
	if err != nil {
		return nil, fmt.Errorf("postgres: read tree tiles: %w", err)
	}
	var ord int64
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&ord, &data}, func() error {
		t := tiles[ord-1]
		if len(data) < t.W*tlog.HashSize {
			return fmt.Errorf("postgres: tree tile %s holds %d hashes, fewer than %d", t.Path(), len(data)/tlog.HashSize, t.W)
		}
		out[ord-1] = append([]byte(nil), data[:t.W*tlog.HashSize]...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read tree tiles: %w", err)
	}
	for i, t := range tiles {
		if out[i] == nil {
			return nil, fmt.Errorf("postgres: tree tile %s is missing", t.Path())
		}
	}
	return out, nil
}

// WriteTiles stores the tiles, each replacing the stored one of its level and index, in one
// statement (one transaction).
func (m *MerkleTiles) WriteTiles(ctx context.Context, tiles []tlog.Tile, data [][]byte) error {
	if len(tiles) != len(data) {
		return fmt.Errorf("postgres: %d tiles, %d data", len(tiles), len(data))
	}
	levels, idxs := make([]int32, len(tiles)), make([]int64, len(tiles))
	for i, t := range tiles {
		if len(data[i]) != t.W*tlog.HashSize {
			return fmt.Errorf("postgres: tree tile %s: %d bytes, want %d", t.Path(), len(data[i]), t.W*tlog.HashSize)
		}
		levels[i], idxs[i] = int32(t.L), t.N
	}
	_, err := m.s.pool.Exec(ctx, `INSERT INTO merkle_tiles (level, idx, hashes)
		SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])
		ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`, levels, idxs, data)
	if err != nil {
		return fmt.Errorf("postgres: store tree tiles: %w", err)
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
