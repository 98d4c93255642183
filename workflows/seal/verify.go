package seal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// VerifyConfig configures Verify.
type VerifyConfig struct {
	// Store is the log to check. Required.
	Store eventstore.Store
	// Heads are signed heads from every source — the database's seals, heads files kept by the
	// server and by witnesses — in any order; identical heads may repeat. Required (at least one).
	Heads [][]byte
	// Key is the public key the heads are signed with. Required.
	Key note.Verifier
	// Cache reads the stored tree (the tiles, TileHashes). Optional, and never trusted: when a
	// head does not match the log and the cache's own root at the head's size is the signed root,
	// the cache holds the sealed leaves and names the first leaf that differs.
	Cache tlog.HashReader
}

// Result says what a verification covered.
type Result struct {
	// Events is the number of events in the log (up to the first problem).
	Events int64
	// Heads are the distinct heads checked, in size order.
	Heads []Head
}

// VerifyLog is Verify with the heads of one source and no cache.
func VerifyLog(ctx context.Context, store eventstore.Store, signed [][]byte, verifier note.Verifier) (Result, error) {
	return Verify(ctx, VerifyConfig{Store: store, Heads: signed, Key: verifier})
}

// Verify recomputes the Merkle tree from the log's records — every leaf from its record through
// its stream's chain, trusting no stored hash — and checks every signed head against it:
// signature, and root hash at its size (so each head also extends the one before). It streams the
// log: its memory grows with the number of streams, not of events. It returns the first problem: ErrBadHead, a *Fork, or a *Mismatch naming the first
// differing event when it can be known.
func Verify(ctx context.Context, cfg VerifyConfig) (Result, error) {
	var res Result
	heads, err := openHeads(cfg.Heads, cfg.Key)
	if err != nil {
		return res, err
	}
	next := 0
	var matched int64
	var mismatch *Head
	check := func(t *tree) error {
		for ; next < len(heads) && heads[next].Size == t.size; next++ {
			// Every head is compared with the root of one recomputed tree at its size, so a head
			// that matches extends every matching head before it: no consistency proof is needed.
			h := heads[next]
			if t.root() != h.Root {
				mismatch = &h
				return errMismatch
			}
			res.Heads, matched = append(res.Heads, h), h.Size
		}
		res.Events = t.size
		return nil
	}
	t, err := recompute(ctx, cfg.Store, nil, check)
	switch {
	case mismatch != nil:
		return res, locate(ctx, cfg, t.flaw, *mismatch, matched, nil)
	case err != nil:
		return res, err
	case next < len(heads):
		return res, locate(ctx, cfg, t.flaw, heads[next], matched, removedAt(t.size, heads[next]))
	}
	return res, nil
}

// errMismatch stops the pass at the first head the log does not match.
var errMismatch = errors.New("seal: head does not match")

// openHeads checks every head's signature and returns the distinct heads in size order.
func openHeads(signed [][]byte, key note.Verifier) ([]Head, error) {
	if key == nil {
		return nil, errors.New("seal: a public key is required")
	}
	heads := make([]Head, 0, len(signed))
	for i, s := range signed {
		h, err := OpenHead(s, key)
		if err != nil {
			return nil, fmt.Errorf("head %d: %w", i+1, err)
		}
		heads = append(heads, h)
	}
	slices.SortStableFunc(heads, func(a, b Head) int { return cmp.Compare(a.Size, b.Size) })
	out := heads[:0]
	for _, h := range heads {
		if n := len(out); n > 0 && out[n-1].Size == h.Size {
			if out[n-1].Root != h.Root {
				return nil, &Fork{A: out[n-1], B: h}
			}
			continue
		}
		out = append(out, h)
	}
	return out, nil
}

func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05Z07:00") }

// Fork means two heads of one size have different roots: the key signed two different logs.
type Fork struct{ A, B Head }

func (f *Fork) Error() string {
	return fmt.Sprintf("seal: two heads of %d events have different roots (signed at %s and %s): the key signed two different logs", f.A.Size, stamp(f.A.Time), stamp(f.B.Time))
}
