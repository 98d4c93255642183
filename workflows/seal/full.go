package seal

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// tileBatch is how many tiles a seal writes per transaction (2 MiB of hashes): the write lock is
// held briefly, and memory stays bounded.
const tileBatch = 256

// tileWriter batches the tiles a pass writes.
type tileWriter struct {
	ctx     context.Context
	store   TileStore
	tiles   []tlog.Tile
	data    [][]byte
	written int
}

func (w *tileWriter) add(t tlog.Tile, d []byte) error {
	w.tiles, w.data = append(w.tiles, t), append(w.data, d)
	if len(w.tiles) >= tileBatch {
		return w.flush()
	}
	return nil
}

func (w *tileWriter) flush() error {
	if len(w.tiles) == 0 {
		return nil
	}
	err := w.store.WriteTiles(w.ctx, w.tiles, w.data)
	w.written += len(w.tiles)
	w.tiles, w.data = w.tiles[:0], w.data[:0]
	return err
}

// full recomputes the tree from every record, checks it against the bases and writes the tiles
// that are missing or damaged. The tiles of the largest base are left as they are while they
// match its signed root — they are then its sealed leaves, which name the first changed event when
// this pass is refused — and the tiles it shares with the new events are written only once the
// pass succeeded. When a kept tile turns out damaged (the right edge matched, an inner tile did
// not), a second pass rewrites them all after the first one succeeded.
func (s *Sealer) full(ctx context.Context, bases []base) (int64, tlog.Hash, error) {
	var sealed int64 // the size whose tiles are kept: the largest base's, when the tiles hold it
	for _, b := range bases {
		if b.head.Size > sealed {
			if root, err := tlog.TreeHash(b.head.Size, verifiedHashes(ctx, s.cfg.Tiles, b.head.Size, b.head.Root)); err == nil && root == b.head.Root {
				sealed = b.head.Size
			}
		}
	}
	n, root, damaged, err := s.fullPass(ctx, bases, sealed)
	if err != nil || !damaged {
		return n, root, err
	}
	n2, root2, _, err := s.fullPass(ctx, bases, 0)
	if err == nil && (n2 != n || root2 != root) {
		err = fmt.Errorf("seal: the log changed while it was sealed (%d events, then %d)", n, n2)
	}
	return n, root, err
}

// fullPass is one pass of full that keeps the tiles of the tree of size sealed (0: none) and
// reports whether one of them did not match the recomputed one.
func (s *Sealer) fullPass(ctx context.Context, bases []base, sealed int64) (int64, tlog.Hash, bool, error) {
	w := &tileWriter{ctx: ctx, store: s.cfg.Tiles}
	kept := &tileComparer{ctx: ctx, store: s.cfg.Tiles}
	var deferred tileWriter
	emit := func(t tlog.Tile, d []byte) error {
		count := sealed >> (t.L * TileHeight) // hashes of the tile's level in the sealed tree
		switch start := t.N << TileHeight; {
		case start+int64(t.W) <= count: // all sealed: kept
			return kept.add(t, d)
		case start < count: // shares hashes with the sealed tree: written after the checks
			deferred.tiles, deferred.data = append(deferred.tiles, t), append(deferred.data, d)
			return nil
		}
		return w.add(t, d)
	}
	roots := make([]*tlog.Hash, len(bases))
	pace := newPacer(s.cfg.PassShare, s.cfg.Clock)
	t, err := recompute(ctx, s.cfg.Store, emit, func(t *tree) error {
		for i, b := range bases {
			if b.head.Size == t.size {
				r := t.root()
				roots[i] = &r
			}
		}
		return pace.step(ctx)
	})
	if err == nil {
		err = kept.compare()
	}
	if err != nil {
		return 0, tlog.Hash{}, false, err
	}
	if t.flaw != nil {
		return 0, tlog.Hash{}, false, &RefusedError{Reason: t.flaw}
	}
	for i, b := range bases {
		if err := b.extends(t.size, roots[i]); err != nil {
			return 0, tlog.Hash{}, false, err
		}
	}
	tiles, data := t.partial()
	deferred.tiles, deferred.data = append(deferred.tiles, tiles...), append(deferred.data, data...)
	for i := range deferred.tiles {
		if err := w.add(deferred.tiles[i], deferred.data[i]); err != nil {
			return 0, tlog.Hash{}, false, err
		}
	}
	return t.size, t.root(), kept.damaged, w.flush()
}

// tileComparer compares recomputed tiles with the stored ones, in batches, until one differs.
type tileComparer struct {
	ctx     context.Context
	store   TileStore
	tiles   []tlog.Tile
	data    [][]byte
	damaged bool
}

func (c *tileComparer) add(t tlog.Tile, d []byte) error {
	if c.damaged {
		return nil
	}
	c.tiles, c.data = append(c.tiles, t), append(c.data, d)
	if len(c.tiles) >= tileBatch/4 {
		return c.compare()
	}
	return nil
}

func (c *tileComparer) compare() error {
	if c.damaged || len(c.tiles) == 0 {
		return nil
	}
	stored, err := c.store.ReadTiles(c.ctx, c.tiles)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		c.damaged = true // missing
	}
	for i := range stored {
		if !bytes.Equal(stored[i], c.data[i]) {
			c.damaged = true
		}
	}
	c.tiles, c.data = c.tiles[:0], c.data[:0]
	return nil
}
