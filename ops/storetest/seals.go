package storetest

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/workflows/seal"
)

// SealParts are an adapter's seal and Merkle-hash tables, opened together on one fresh store.
type SealParts struct {
	// Seals records signed tree heads.
	Seals seal.SealStore
	// Hashes keeps the tree's stored hashes.
	Hashes seal.HashStore
}

// RunSeals runs the conformance suite of seal.SealStore and seal.HashStore.
func RunSeals(t *testing.T, newParts func(t *testing.T) SealParts) {
	tests := []struct {
		name string
		fn   func(t *testing.T, p SealParts)
	}{
		{"lists_heads_smallest_tree_first_keeping_the_first_per_size", testSealsList},
		{"stores_hashes_at_the_next_indexes", testHashesAppend},
		{"names_a_missing_hash", testHashesMissing},
		{"reset_removes_every_hash", testHashesReset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newParts(t)) })
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

func hashes(from, n int) []tlog.Hash {
	out := make([]tlog.Hash, n)
	for i := range out {
		out[i] = tlog.RecordHash([]byte{byte(from + i), byte((from + i) >> 8)})
	}
	return out
}

func testHashesAppend(t *testing.T, p SealParts) {
	for _, batch := range []struct{ from, n int }{{0, 3}, {3, 1}, {4, 300}} {
		if err := p.Hashes.Append(ctxFor(t), hashes(batch.from, batch.n)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := p.Hashes.Count(ctxFor(t)); err != nil || n != 304 {
		t.Fatalf("count = %d, %v; want 304", n, err)
	}
	want := hashes(0, 304)
	idx := []int64{303, 0, 3, 4, 150, 0}
	got, err := p.Hashes.ReadHashes(idx)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range idx {
		if !bytes.Equal(got[i][:], want[x][:]) {
			t.Errorf("hash at %d = %x; want %x", x, got[i], want[x])
		}
	}
	if got, err := p.Hashes.ReadHashes(nil); err != nil || len(got) != 0 {
		t.Errorf("read of no indexes = %v, %v", got, err)
	}
}

func testHashesMissing(t *testing.T, p SealParts) {
	if err := p.Hashes.Append(ctxFor(t), hashes(0, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Hashes.ReadHashes([]int64{1, 2}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("2 is missing")) {
		t.Fatalf("read past the end = %v; want an error naming index 2 as missing", err)
	}
}

func testHashesReset(t *testing.T, p SealParts) {
	if err := p.Hashes.Append(ctxFor(t), hashes(0, 5)); err != nil {
		t.Fatal(err)
	}
	if err := p.Hashes.Reset(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Hashes.Count(ctxFor(t)); err != nil || n != 0 {
		t.Fatalf("count after reset = %d, %v", n, err)
	}
	if err := p.Hashes.Append(ctxFor(t), hashes(7, 1)); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Hashes.ReadHashes([]int64{0}); err != nil || got[0] != hashes(7, 1)[0] {
		t.Fatalf("after reset the next hash is at 0: %v, %v", got, err)
	}
}
