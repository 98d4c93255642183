package seal

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Mismatch means the log does not have the root hash a signed head records: something up to that
// head was changed, removed or rewritten.
type Mismatch struct {
	// Head is the first head the log does not match.
	Head Head
	// Matched is the size of the largest head that matched (0 if none): the difference is at a
	// position after it.
	Matched int64
	// Leaf is the index of the first leaf that differs from the sealed one, -1 when unknown.
	Leaf int64
	// At names the first differing event (stream, version, position), nil when it cannot be known.
	At *eventstore.IntegrityError
}

func (m *Mismatch) Error() string {
	if m.At != nil {
		return "seal: " + m.At.Error()
	}
	return fmt.Sprintf("seal: the log's first %d events do not match the head signed at %s: one of the events at positions %d to %d was changed, removed or rewritten after sealing; "+
		"the tree cache (merkle_tiles) cannot tell which: it is missing or does not match the head either", m.Head.Size, stamp(m.Head.Time), m.Matched+1, m.Head.Size)
}

// Unwrap returns the *eventstore.IntegrityError naming the event, when known.
func (m *Mismatch) Unwrap() error {
	if m.At == nil {
		return nil
	}
	return m.At
}

// locate finds the first event that differs from what head h sealed: from the cache's leaves
// when the cache's root is h's (so its leaves are the sealed ones), else from the first event
// whose stored form disagrees with its record (flaw), when that lies under h. removed is the
// problem to name when the log is shorter than h and neither tells more.
func locate(ctx context.Context, cfg VerifyConfig, flaw *eventstore.IntegrityError, h Head, matched int64, removed *eventstore.IntegrityError) error {
	m := &Mismatch{Head: h, Matched: matched, Leaf: -1, At: removed}
	i, ok, err := firstDifferingLeaf(ctx, cfg, h, matched)
	if err != nil {
		return err
	}
	if ok {
		m.Leaf = i
		m.At = &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(i + 1)),
			Problem: fmt.Sprintf("leaf %d differs from the one the head of %d events signed at %s sealed: the event was changed, replaced or moved after sealing; it was rewritten", i, h.Size, stamp(h.Time))}
		page, err := cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(uint64(i)), Limit: 1})
		if err == nil && len(page) == 1 && page[0].Position == m.At.Position {
			m.At.Stream, m.At.Version = page[0].Stream, page[0].Version
		}
		return m
	}
	if f := flaw; f != nil && f.Position.Commit() > uint64(matched) && f.Position.Commit() <= uint64(h.Size) {
		at := *f
		at.Problem = fmt.Sprintf("%s; the log no longer matches the head of %d events signed at %s: it was rewritten after sealing", f.Problem, h.Size, stamp(h.Time))
		m.At = &at
	}
	return m
}

// removedAt is the problem of a log of n events, shorter than head h.
func removedAt(n int64, h Head) *eventstore.IntegrityError {
	return &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(n + 1)),
		Problem: fmt.Sprintf("the log has %d events, but the head signed at %s covers %d: events were removed", n, stamp(h.Time), h.Size)}
}

// errFound stops the second pass of firstDifferingLeaf.
var errFound = errors.New("seal: differing leaf found")

// firstDifferingLeaf compares the recomputed leaves after matched with the cache's, if the cache
// holds the tree that h signed. It recomputes the leaves in a second pass over the log, comparing
// them a batch at a time, so that memory does not grow with the log.
func firstDifferingLeaf(ctx context.Context, cfg VerifyConfig, h Head, matched int64) (int64, bool, error) {
	cache := cfg.Cache
	if cache == nil {
		return 0, false, nil
	}
	if root, err := tlog.TreeHash(h.Size, cache); err != nil || root != h.Root {
		return 0, false, nil
	}
	const batch = 1000
	var leaves []tlog.Hash
	var from int64 = matched
	found, differs := int64(-1), false
	compare := func() error {
		idx := make([]int64, len(leaves))
		for k := range leaves {
			idx[k] = tlog.StoredHashIndex(0, from+int64(k))
		}
		sealed, err := cache.ReadHashes(idx)
		if err != nil {
			return errFound // the cache cannot tell: found stays -1
		}
		for k, s := range sealed {
			if s != leaves[k] {
				found, differs = from+int64(k), true
				return errFound
			}
		}
		from, leaves = from+int64(len(leaves)), leaves[:0]
		return nil
	}
	_, err := recompute(ctx, cfg.Store, nil, func(t *tree) error {
		if t.size <= matched {
			return nil
		}
		if t.size > h.Size {
			return errFound
		}
		leaves = append(leaves, t.last)
		if len(leaves) == batch {
			return compare()
		}
		return nil
	})
	if err == nil || errors.Is(err, errFound) {
		if !differs && len(leaves) > 0 {
			if err := compare(); err != nil && !errors.Is(err, errFound) {
				return 0, false, err
			}
		}
		return found, differs, nil
	}
	return 0, false, err
}
