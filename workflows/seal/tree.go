package seal

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// memHashes is an in-memory hash store (tlog.StoredHashIndex order).
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

// tree is the Merkle tree recomputed from the log's records, trusting no stored hash: each leaf
// commits to the event's chain hash as computed from its record and the computed hash of the
// event before it in its stream.
type tree struct {
	hashes memHashes
	size   int64
	chains map[string]eventstore.Hash
	// flaw is the first event whose stored form disagrees with the recomputation (a stored hash
	// that is not its record's chain hash, or a gap in positions); nil if none.
	flaw *eventstore.IntegrityError
}

func newTree() *tree { return &tree{chains: map[string]eventstore.Hash{}} }

// leaf returns the leaf data of the next event from its record, and notes the first flaw.
func (t *tree) leaf(e eventstore.Event) []byte {
	prev := t.chains[e.Stream]
	computed := eventstore.ChainHash(prev, eventstore.EncodeRecord(e))
	t.chains[e.Stream] = computed
	if t.flaw == nil {
		at := &eventstore.IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position}
		switch {
		case e.Position != eventstore.SequencePosition(uint64(t.size+1)):
			at.Stream, at.Version, at.Position = "", 0, eventstore.SequencePosition(uint64(t.size+1))
			at.Problem = fmt.Sprintf("position %d is missing from the log (the next event is at %s)", t.size+1, e.Position)
			t.flaw = at
		case computed != e.Hash:
			at.Problem = "the stored record does not give its stored chain hash: the record or the event before it in its stream was changed"
			t.flaw = at
		}
	}
	e.Hash = computed
	return LeafData(e)
}

// add appends the next event's leaf.
func (t *tree) add(e eventstore.Event) error {
	hashes, err := tlog.StoredHashes(t.size, t.leaf(e), t.hashes)
	if err != nil {
		return err
	}
	t.hashes = append(t.hashes, hashes...)
	t.size++
	return nil
}

// root is the root hash of the tree's first n leaves.
func (t *tree) root(n int64) (tlog.Hash, error) { return tlog.TreeHash(n, t.hashes) }

// leafHash is the hash of leaf i.
func (t *tree) leafHash(i int64) tlog.Hash { return t.hashes[tlog.StoredHashIndex(0, i)] }

// recompute builds the tree of the whole log. each, when not nil, is called after every event
// with the tree so far (verification checks the heads of that size there).
func recompute(ctx context.Context, store eventstore.Store, each func(*tree) error) (*tree, error) {
	t := newTree()
	err := eventstore.Each(ctx, store, eventstore.Filter{}, func(e eventstore.Event) error {
		if err := t.add(e); err != nil {
			return err
		}
		if each != nil {
			return each(t)
		}
		return nil
	})
	return t, err
}
