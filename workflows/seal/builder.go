package seal

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// builder grows the Merkle tree one leaf at a time while holding only its right edge: the roots
// of the complete subtrees the tree's size decomposes into (at most 64), and for each tile level
// the hashes of its unfinished tile (at most 256 each). Memory does not grow with the log.
// Whenever a tile fills up, emit (when not nil) receives it: the tiles of stored-hash levels 0,
// 8, 16, … (tlog's tiling of height TileHeight).
type builder struct {
	size  int64
	edge  []node   // complete subtrees, largest (leftmost) first
	tiles [][]byte // tiles[L]: the hashes of level L's unfinished tile
	next  []int64  // next[L]: the index of level L's unfinished tile
	emit  func(tlog.Tile, []byte) error
}

type node struct {
	level int
	hash  tlog.Hash
}

// add appends a leaf with the given record hash (tlog.RecordHash of the leaf data).
func (b *builder) add(h tlog.Hash) error {
	level := 0
	if err := b.stored(level, h); err != nil {
		return err
	}
	for len(b.edge) > 0 && b.edge[len(b.edge)-1].level == level {
		h = tlog.NodeHash(b.edge[len(b.edge)-1].hash, h)
		b.edge = b.edge[:len(b.edge)-1]
		level++
		if err := b.stored(level, h); err != nil {
			return err
		}
	}
	b.edge = append(b.edge, node{level, h})
	b.size++
	return nil
}

// stored notes a new stored hash of the level; hashes of tile levels go into their tile.
func (b *builder) stored(level int, h tlog.Hash) error {
	if level%TileHeight != 0 {
		return nil
	}
	L := level / TileHeight
	for len(b.tiles) <= L {
		b.tiles, b.next = append(b.tiles, nil), append(b.next, 0)
	}
	b.tiles[L] = append(b.tiles[L], h[:]...)
	if len(b.tiles[L]) < tileBytes {
		return nil
	}
	t := tlog.Tile{H: TileHeight, L: L, N: b.next[L], W: 1 << TileHeight}
	data := b.tiles[L]
	b.tiles[L], b.next[L] = make([]byte, 0, tileBytes), b.next[L]+1
	if b.emit == nil {
		return nil
	}
	return b.emit(t, data)
}

// root is the root hash of the tree so far (RFC 6962).
func (b *builder) root() tlog.Hash {
	if len(b.edge) == 0 {
		h, _ := tlog.TreeHash(0, nil)
		return h
	}
	h := b.edge[len(b.edge)-1].hash
	for i := len(b.edge) - 2; i >= 0; i-- {
		h = tlog.NodeHash(b.edge[i].hash, h)
	}
	return h
}

// partial returns the unfinished tiles (the partial tiles of the tree's size), lowest level
// first.
func (b *builder) partial() ([]tlog.Tile, [][]byte) {
	var tiles []tlog.Tile
	var data [][]byte
	for L, d := range b.tiles {
		if len(d) > 0 {
			tiles = append(tiles, tlog.Tile{H: TileHeight, L: L, N: b.next[L], W: len(d) / tlog.HashSize})
			data = append(data, d)
		}
	}
	return tiles, data
}

// resume returns a builder that continues the tree of size n whose stored hashes r reads (r must
// be verified against the tree's root: tlog.TileHashReader). It reads the right edge and the
// partial tiles, at most 64 + 256 per tile level hashes.
func resume(n int64, r tlog.HashReader, emit func(tlog.Tile, []byte) error) (*builder, error) {
	b := &builder{size: n, emit: emit}
	var idx []int64
	var levels []int
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			idx, levels = append(idx, tlog.StoredHashIndex(level, n>>level-1)), append(levels, level)
		}
	}
	hashes, err := r.ReadHashes(idx)
	if err != nil {
		return nil, err
	}
	for i, h := range hashes {
		b.edge = append(b.edge, node{levels[i], h})
	}
	for L := 0; n>>(L*TileHeight) > 0; L++ {
		count := n >> (L * TileHeight) // stored hashes of level L*TileHeight
		b.tiles, b.next = append(b.tiles, make([]byte, 0, tileBytes)), append(b.next, count>>TileHeight)
		w := count % (1 << TileHeight)
		if w == 0 {
			continue
		}
		t := tlog.Tile{H: TileHeight, L: L, N: count >> TileHeight, W: int(w)}
		data, err := tlog.ReadTileData(t, r)
		if err != nil {
			return nil, fmt.Errorf("seal: read the partial tile %s: %w", t.Path(), err)
		}
		b.tiles[L] = append(b.tiles[L], data...)
	}
	return b, nil
}
