package seal

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// tree is the Merkle tree recomputed from the log's records, trusting no stored hash: each leaf
// commits to the event's chain hash as computed from its record and the computed hash of the
// event before it in its stream. It holds the tree's right edge (builder) and the last computed
// hash of each stream, never the tree: memory grows with the streams, not with the events.
type tree struct {
	*builder
	chains map[string]eventstore.Hash
	// flaw is the first event whose stored form disagrees with the recomputation (a stored hash
	// that is not its record's chain hash, or a gap in positions); nil if none.
	flaw *eventstore.IntegrityError
	// last is the leaf hash of the last event added.
	last tlog.Hash
}

func newTree(emit func(tlog.Tile, []byte) error) *tree {
	return &tree{builder: &builder{emit: emit}, chains: map[string]eventstore.Hash{}}
}

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
	t.last = tlog.RecordHash(t.leaf(e))
	return t.builder.add(t.last)
}

// recompute streams the whole log into a new tree. each, when not nil, is called after every
// event with the tree so far (verification checks the heads of that size there).
func recompute(ctx context.Context, store eventstore.Store, emit func(tlog.Tile, []byte) error, each func(*tree) error) (*tree, error) {
	t := newTree(emit)
	if each != nil {
		if err := each(t); err != nil {
			return t, err
		}
	}
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
