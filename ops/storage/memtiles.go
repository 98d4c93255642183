package storage

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/workflows/seal"
)

// MemoryTiles is a seal.TileStore in the process's memory, for a backend that keeps no tiles
// (PostgreSQL, for now). Tiles are a cache, never evidence (see seal.TileStore): the first seal
// after a start finds none and makes a full pass over the log, later ones extend the tiles it
// wrote; inclusion proofs read them, and every reader checks them against a signed root.
type MemoryTiles struct {
	mu    sync.Mutex
	tiles map[[2]int64][]byte // (level, index) → the tile written last
}

var _ seal.TileStore = (*MemoryTiles)(nil)

// NewMemoryTiles returns an empty MemoryTiles.
func NewMemoryTiles() *MemoryTiles { return &MemoryTiles{tiles: map[[2]int64][]byte{}} }

// ReadTiles returns the hashes of each tile, cut to its width; a tile missing or stored narrower
// is an error.
func (m *MemoryTiles) ReadTiles(_ context.Context, tiles []tlog.Tile) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, ok := m.tiles[[2]int64{int64(t.L), t.N}]
		if !ok {
			return nil, fmt.Errorf("memory tiles: tree tile %s: not kept", t.Path())
		}
		if len(data) < t.W*tlog.HashSize {
			return nil, fmt.Errorf("memory tiles: tree tile %s holds %d hashes, fewer than %d", t.Path(), len(data)/tlog.HashSize, t.W)
		}
		out[i] = data[: t.W*tlog.HashSize : t.W*tlog.HashSize]
	}
	return out, nil
}

// WriteTiles stores the tiles, each replacing the kept one of its level and index; all or none.
func (m *MemoryTiles) WriteTiles(_ context.Context, tiles []tlog.Tile, data [][]byte) error {
	if len(tiles) != len(data) {
		return fmt.Errorf("memory tiles: %d tiles, %d data", len(tiles), len(data))
	}
	for i, t := range tiles {
		if len(data[i]) != t.W*tlog.HashSize {
			return fmt.Errorf("memory tiles: tree tile %s: %d bytes, want %d", t.Path(), len(data[i]), t.W*tlog.HashSize)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, t := range tiles {
		m.tiles[[2]int64{int64(t.L), t.N}] = append([]byte(nil), data[i]...)
	}
	return nil
}
