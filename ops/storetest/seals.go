package storetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/workflows/seal"
)

// SealParts are an adapter's seal and Merkle-tile tables, opened together on one fresh store.
type SealParts struct {
	// Seals records signed tree heads.
	Seals seal.SealStore
	// Tiles keeps the tree's tiles; nil while the adapter has none (its tile tests are skipped).
	Tiles seal.TileStore
}

// RunSeals runs the conformance suite of seal.SealStore and seal.TileStore.
func RunSeals(t *testing.T, newParts func(t *testing.T) SealParts) {
	tests := []struct {
		name  string
		tiles bool
		fn    func(t *testing.T, p SealParts)
	}{
		{"lists_heads_smallest_tree_first_keeping_the_first_per_size", false, testSealsList},
		{"reads_tiles_as_written_and_cut_to_a_narrower_width", true, testTilesRoundTrip},
		{"a_written_tile_replaces_the_stored_one_whatever_its_width", true, testTilesReplace},
		{"names_a_missing_or_too_narrow_tile", true, testTilesMissing},
		{"refuses_data_that_is_not_the_tile_width", true, testTilesBadWidth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newParts(t)
			if tc.tiles && p.Tiles == nil {
				t.Skip("the adapter has no seal.TileStore yet")
			}
			tc.fn(t, p)
		})
	}
}

func testSealsList(t *testing.T, p SealParts) {
	at := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		size   int64
		signed string
	}{{20, "head 20\n"}, {5, "head 5\n"}, {20, "another head 20\n"}, {300, "head 300\n— Signatur\n"}} {
		if err := p.Seals.Record(ctxFor(t), r.size, []byte(r.signed), at); err != nil {
			t.Fatalf("record %d: %v", r.size, err)
		}
	}
	got, err := p.Seals.List(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"head 5\n", "head 20\n", "head 300\n— Signatur\n"}
	if len(got) != len(want) {
		t.Fatalf("list = %q; want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("head %d = %q; want %q", i, got[i], want[i])
		}
	}
}

// tileData is w distinct hashes for the tile of level l, index n.
func tileData(l int, n int64, w int) []byte {
	out := make([]byte, 0, w*tlog.HashSize)
	for i := range w {
		h := tlog.RecordHash([]byte{byte(l), byte(n), byte(n >> 8), byte(i)})
		out = append(out, h[:]...)
	}
	return out
}

func tile(l int, n int64, w int) tlog.Tile { return tlog.Tile{H: seal.TileHeight, L: l, N: n, W: w} }

func testTilesRoundTrip(t *testing.T, p SealParts) {
	tiles := []tlog.Tile{tile(0, 0, 256), tile(0, 1, 256), tile(0, 2, 17), tile(1, 0, 2)}
	data := make([][]byte, len(tiles))
	for i, x := range tiles {
		data[i] = tileData(x.L, x.N, x.W)
	}
	if err := p.Tiles.WriteTiles(ctxFor(t), tiles, data); err != nil {
		t.Fatal(err)
	}
	read := []tlog.Tile{tile(1, 0, 2), tile(0, 2, 17), tile(0, 0, 256), tile(0, 1, 5), tile(0, 2, 1)}
	got, err := p.Tiles.ReadTiles(ctxFor(t), read)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range read {
		if want := tileData(x.L, x.N, 256)[:x.W*tlog.HashSize]; !bytes.Equal(got[i], want) {
			t.Errorf("tile %s: %d bytes, not the first %d hashes written", x.Path(), len(got[i]), x.W)
		}
	}
	if got, err := p.Tiles.ReadTiles(ctxFor(t), nil); err != nil || len(got) != 0 {
		t.Errorf("read of no tiles = %v, %v", got, err)
	}
}

func testTilesReplace(t *testing.T, p SealParts) {
	for _, w := range []int{3, 200, 5} {
		x := tile(0, 4, w)
		d := tileData(0, 4, w)
		d[0] = byte(w) // each write different
		if err := p.Tiles.WriteTiles(ctxFor(t), []tlog.Tile{x}, [][]byte{d}); err != nil {
			t.Fatal(err)
		}
		got, err := p.Tiles.ReadTiles(ctxFor(t), []tlog.Tile{x})
		if err != nil || !bytes.Equal(got[0], d) {
			t.Fatalf("after writing width %d: %d bytes, %v; want the tile written last", w, len(got), err)
		}
	}
	if _, err := p.Tiles.ReadTiles(ctxFor(t), []tlog.Tile{tile(0, 4, 6)}); err == nil {
		t.Fatal("a tile stored with 5 hashes was read with 6")
	}
}

func testTilesMissing(t *testing.T, p SealParts) {
	if err := p.Tiles.WriteTiles(ctxFor(t), []tlog.Tile{tile(0, 0, 4)}, [][]byte{tileData(0, 0, 4)}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []tlog.Tile{tile(0, 1, 1), tile(1, 0, 1), tile(0, 0, 5)} {
		if _, err := p.Tiles.ReadTiles(ctxFor(t), []tlog.Tile{tile(0, 0, 4), x}); err == nil || !strings.Contains(err.Error(), x.Path()) {
			t.Errorf("read of %s = %v; want an error naming it", x.Path(), err)
		}
	}
}

func testTilesBadWidth(t *testing.T, p SealParts) {
	err := p.Tiles.WriteTiles(ctxFor(t), []tlog.Tile{tile(0, 0, 4)}, [][]byte{tileData(0, 0, 3)})
	if err == nil {
		t.Fatal("3 hashes were stored as a tile of 4")
	}
	if _, err := p.Tiles.ReadTiles(ctxFor(t), []tlog.Tile{tile(0, 0, 1)}); err == nil {
		t.Fatal("the refused tile was stored")
	}
}
