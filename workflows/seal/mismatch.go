package seal

import (
	"context"
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
		"the tree cache (merkle_hashes) cannot tell which: it is missing or does not match the head either", m.Head.Size, stamp(m.Head.Time), m.Matched+1, m.Head.Size)
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
// whose stored form disagrees with its record, when that lies under h. removed is the problem
// to name when the log is shorter than h and neither tells more.
func locate(ctx context.Context, cfg VerifyConfig, t *tree, h Head, matched int64, removed *eventstore.IntegrityError) error {
	m := &Mismatch{Head: h, Matched: matched, Leaf: -1, At: removed}
	if i, ok := firstDifferingLeaf(cfg.Cache, t, h, matched); ok {
		m.Leaf = i
		m.At = &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(i + 1)),
			Problem: fmt.Sprintf("leaf %d differs from the one the head of %d events signed at %s sealed: the event was changed, replaced or moved after sealing; it was rewritten", i, h.Size, stamp(h.Time))}
		page, err := cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(uint64(i)), Limit: 1})
		if err == nil && len(page) == 1 && page[0].Position == m.At.Position {
			m.At.Stream, m.At.Version = page[0].Stream, page[0].Version
		}
		return m
	}
	if f := t.flaw; f != nil && f.Position.Commit() > uint64(matched) && f.Position.Commit() <= uint64(h.Size) {
		at := *f
		at.Problem = fmt.Sprintf("%s; the log no longer matches the head of %d events signed at %s: it was rewritten after sealing", f.Problem, h.Size, stamp(h.Time))
		m.At = &at
	}
	return m
}

// removedAt is the problem of a log shorter than head h.
func removedAt(t *tree, h Head) *eventstore.IntegrityError {
	return &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(t.size + 1)),
		Problem: fmt.Sprintf("the log has %d events, but the head signed at %s covers %d: events were removed", t.size, stamp(h.Time), h.Size)}
}

// firstDifferingLeaf compares the recomputed leaves after matched with the cache's, if the cache
// holds the tree that h signed.
func firstDifferingLeaf(cache tlog.HashReader, t *tree, h Head, matched int64) (int64, bool) {
	if cache == nil {
		return 0, false
	}
	if root, err := tlog.TreeHash(h.Size, cache); err != nil || root != h.Root {
		return 0, false
	}
	const batch = 1000
	end := min(h.Size, t.size)
	for from := matched; from < end; from += batch {
		to := min(from+batch, end)
		idx := make([]int64, 0, to-from)
		for i := from; i < to; i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		sealed, err := cache.ReadHashes(idx)
		if err != nil {
			return 0, false
		}
		for k, s := range sealed {
			if i := from + int64(k); s != t.leafHash(i) {
				return i, true
			}
		}
	}
	return 0, false
}
