package seal

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// memHashes is an in-memory hash store for verification.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for k, i := range indexes {
		if i < 0 || i >= int64(len(m)) {
			return nil, fmt.Errorf("seal: stored hash %d does not exist", i)
		}
		out[k] = m[i]
	}
	return out, nil
}

// Result says what a verification covered.
type Result struct {
	// Events is the number of events in the log.
	Events int64
	// Heads are the heads checked, in size order.
	Heads []Head
}

// VerifyLog recomputes the Merkle tree from the log's events — trusting no stored hash — and
// checks every signed head against it: signature, and root hash at its size. Heads must be in
// size order; then each later head extending the earlier ones follows (their trees are prefixes of
// one recomputed tree) and is also checked with a consistency proof. It returns the first problem.
func VerifyLog(ctx context.Context, store eventstore.Store, signed [][]byte, verifier note.Verifier) (Result, error) {
	var res Result
	heads := make([]Head, 0, len(signed))
	for i, s := range signed {
		h, err := OpenHead(s, verifier)
		if err != nil {
			return res, fmt.Errorf("head %d: %w", i+1, err)
		}
		if len(heads) > 0 && h.Size < heads[len(heads)-1].Size {
			return res, fmt.Errorf("head %d: size %d is smaller than the one before", i+1, h.Size)
		}
		heads = append(heads, h)
	}
	var mem memHashes
	var size int64
	next := 0
	check := func() error {
		for next < len(heads) && heads[next].Size == size {
			h := heads[next]
			root, err := tlog.TreeHash(size, mem)
			if err != nil {
				return err
			}
			if root != h.Root {
				return &Mismatch{Head: h}
			}
			if next > 0 {
				prev := heads[next-1]
				proof, err := tlog.ProveTree(h.Size, prev.Size, mem)
				if err != nil {
					return err
				}
				if err := tlog.CheckTree(proof, h.Size, h.Root, prev.Size, prev.Root); err != nil {
					return fmt.Errorf("seal: head of size %d does not extend head of size %d: %w", h.Size, prev.Size, err)
				}
			}
			res.Heads = append(res.Heads, h)
			next++
		}
		return nil
	}
	if err := check(); err != nil {
		return res, err
	}
	after := eventstore.Start
	for {
		page, err := store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			return res, err
		}
		for _, e := range page {
			hashes, err := tlog.StoredHashes(size, LeafData(e), mem)
			if err != nil {
				return res, err
			}
			mem = append(mem, hashes...)
			size++
			res.Events = size
			if err := check(); err != nil {
				return res, err
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Position
	}
	if next < len(heads) {
		return res, fmt.Errorf("seal: the log has %d events, but a head covers %d: events were removed", size, heads[next].Size)
	}
	return res, nil
}

// Mismatch means the log does not have the root hash a signed head records: something up to that
// head was changed, removed or rewritten.
type Mismatch struct {
	Head Head
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("seal: the log's first %d events do not match the head signed at %s: they were rewritten", m.Head.Size, m.Head.Time.Format("2006-01-02 15:04:05Z07:00"))
}
