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
	// Cache is the stored tree (table merkle_hashes). Optional, and never trusted: when a head
	// does not match the log and the cache's own root at the head's size is the signed root, the
	// cache holds the sealed leaves and names the first leaf that differs.
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
// signature, and root hash at its size; each head also extends the one before (a consistency
// proof). It returns the first problem: ErrBadHead, a *Fork, or a *Mismatch naming the first
// differing event when it can be known.
func Verify(ctx context.Context, cfg VerifyConfig) (Result, error) {
	var res Result
	heads, err := openHeads(cfg.Heads, cfg.Key)
	if err != nil {
		return res, err
	}
	next := 0
	var matched int64
	check := func(t *tree) error {
		for ; next < len(heads) && heads[next].Size == t.size; next++ {
			h := heads[next]
			root, err := t.root(h.Size)
			if err != nil {
				return err
			}
			if root != h.Root {
				return locate(ctx, cfg, t, h, matched, nil)
			}
			if err := consistent(t, h, res.Heads); err != nil {
				return err
			}
			res.Heads, matched = append(res.Heads, h), h.Size
		}
		res.Events = t.size
		return nil
	}
	t := newTree()
	if err := check(t); err != nil {
		return res, err
	}
	if err := eventstore.Each(ctx, cfg.Store, eventstore.Filter{}, func(e eventstore.Event) error {
		if err := t.add(e); err != nil {
			return err
		}
		return check(t)
	}); err != nil {
		return res, err
	}
	if next < len(heads) {
		return res, locate(ctx, cfg, t, heads[next], matched, removedAt(t, heads[next]))
	}
	return res, nil
}

// consistent checks with a consistency proof that h extends the last head checked before it.
func consistent(t *tree, h Head, before []Head) error {
	if len(before) == 0 || before[len(before)-1].Size == 0 {
		return nil
	}
	prev := before[len(before)-1]
	proof, err := tlog.ProveTree(h.Size, prev.Size, t.hashes)
	if err == nil {
		err = tlog.CheckTree(proof, h.Size, h.Root, prev.Size, prev.Root)
	}
	if err != nil {
		return fmt.Errorf("seal: head of size %d does not extend head of size %d: %w", h.Size, prev.Size, err)
	}
	return nil
}

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
