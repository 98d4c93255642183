package seal

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of the tree's tiles: a tile holds 256 hashes of one stored-hash level
// (levels 0, 8, 16, …), as in tlog's tiling (https://research.swtch.com/tlog#tiling_a_log).
const TileHeight = 8

const tileBytes = (1 << TileHeight) * tlog.HashSize

// TileStore keeps the log's Merkle tree as tiles of height TileHeight (table merkle_tiles in
// SQLite). It is a cache, never evidence: the sealer and every reader check the tiles they use
// against a signed root (tlog.TileHashReader), and rebuild them from the records when they do not
// match. A store keeps one tile per level and index, the one written last, whatever its width.
type TileStore interface {
	// ReadTiles returns the hashes of each tile: for tile t, t.W hashes (t.W*32 bytes). A tile
	// stored wider is returned cut to t.W. A tile that is missing or stored narrower is an error.
	ReadTiles(ctx context.Context, tiles []tlog.Tile) ([][]byte, error)
	// WriteTiles stores the tiles (data[i] holds tiles[i].W hashes), each replacing the stored
	// tile of its level and index, in one transaction.
	WriteTiles(ctx context.Context, tiles []tlog.Tile, data [][]byte) error
}

// tileReader is a TileStore as tlog's TileReader (which has no context).
type tileReader struct {
	ctx   context.Context
	store TileStore
}

func (r tileReader) Height() int { return TileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	return r.store.ReadTiles(r.ctx, tiles)
}

// SaveTiles does nothing: the tiles read are the stored ones.
func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// verifiedHashes reads the stored hashes of the tree of size n and root from the tiles, each
// checked against the root (tlog.TileHashReader): any hash it returns is in that tree.
func verifiedHashes(ctx context.Context, tiles TileStore, n int64, root tlog.Hash) tlog.HashReader {
	return tlog.TileHashReader(tlog.Tree{N: n, Hash: root}, tileReader{ctx, tiles})
}

// TileHashes reads stored hashes (tlog.StoredHashIndex order) from the tiles, unchecked: for
// inclusion and consistency proofs, which the reader checks against a signed root anyway (a
// proof from a damaged tile fails that check). Verification never needs it for its verdict.
func TileHashes(tiles TileStore) tlog.HashReader { return tileHashes{tiles} }

type tileHashes struct{ store TileStore }

func (t tileHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	type key struct {
		L int
		N int64
	}
	order := map[key]int{}
	var need []tlog.Tile
	for _, x := range indexes {
		tile := tlog.TileForIndex(TileHeight, x)
		k := key{tile.L, tile.N}
		if j, ok := order[k]; ok {
			need[j].W = max(need[j].W, tile.W)
			continue
		}
		order[k] = len(need)
		need = append(need, tile)
	}
	data, err := t.store.ReadTiles(context.Background(), need)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		tile := tlog.TileForIndex(TileHeight, x)
		j := order[key{tile.L, tile.N}]
		if out[i], err = tlog.HashFromTile(need[j], data[j], x); err != nil {
			return nil, fmt.Errorf("seal: stored hash %d: %w", x, err)
		}
	}
	return out, nil
}
