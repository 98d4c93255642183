package seal

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// extend is the incremental seal: it extends the tree of head b (which this sealer signed) by the
// events after it. The tiles it starts from are checked against b's signed root; each new event's
// chain hash is computed from its record and the hash of the event before it in its stream —
// computed earlier in this pass, or, for an event b covers, its stored hash proven to be the one
// b sealed (its leaf, read from tiles checked against b's root). The last event b covers is proven
// the same way, so a log cut back below b is not extended. Any error makes the caller fall back to
// a full pass, which decides whether to refuse.
func (s *Sealer) extend(ctx context.Context, b Head) (int64, tlog.Hash, error) {
	r := verifiedHashes(ctx, s.cfg.Tiles, b.Size, b.Root)
	w := &tileWriter{ctx: ctx, store: s.cfg.Tiles}
	t, err := resume(b.Size, r, w.add)
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("seal: the tiles do not give the signed root of the last head (%d events): %w", b.Size, err)
	}
	var sealed []eventstore.Event // events b covers whose stored hash this pass relies on
	if b.Size > 0 {
		last, err := s.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(uint64(b.Size - 1)), Limit: 1})
		if err != nil {
			return 0, tlog.Hash{}, err
		}
		if len(last) != 1 || last[0].Position.Commit() != uint64(b.Size) {
			return 0, tlog.Hash{}, fmt.Errorf("seal: the last sealed event (position %d) is missing", b.Size)
		}
		sealed = append(sealed, last[0])
	}
	chains := map[string]eventstore.Hash{}
	for after := b.Size; ; {
		page, err := s.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: eventstore.SequencePosition(uint64(after)), Limit: eventstore.DefaultReadAllLimit})
		if err != nil {
			return 0, tlog.Hash{}, err
		}
		for _, e := range page {
			prev, ok := chains[e.Stream]
			if !ok && e.Version > 1 {
				p, err := s.previous(ctx, e, b.Size)
				if err != nil {
					return 0, tlog.Hash{}, err
				}
				sealed, prev = append(sealed, p), p.Hash
			}
			if err := s.addNew(t, chains, prev, e); err != nil {
				return 0, tlog.Hash{}, err
			}
		}
		if len(page) < eventstore.DefaultReadAllLimit {
			break
		}
		after = int64(page[len(page)-1].Position.Commit())
	}
	if err := provenSealed(r, sealed); err != nil {
		return 0, tlog.Hash{}, err
	}
	tiles, data := t.partial()
	if t.size == b.Size {
		tiles = nil // no new events: the partial tiles are the ones read
	}
	for i := range tiles {
		if err := w.add(tiles[i], data[i]); err != nil {
			return 0, tlog.Hash{}, err
		}
	}
	return t.size, t.root(), w.flush()
}

// addNew checks the next event's position and chain hash and adds its leaf.
func (s *Sealer) addNew(t *builder, chains map[string]eventstore.Hash, prev eventstore.Hash, e eventstore.Event) error {
	if e.Position.Commit() != uint64(t.size+1) {
		return fmt.Errorf("seal: position %d is missing (the next event is at %s)", t.size+1, e.Position)
	}
	if eventstore.ChainHash(prev, eventstore.EncodeRecord(e)) != e.Hash {
		return fmt.Errorf("seal: stream %q version %d (position %s): the stored record does not give its stored chain hash", e.Stream, e.Version, e.Position)
	}
	chains[e.Stream] = e.Hash
	return t.add(tlog.RecordHash(LeafData(e)))
}

// previous reads the event before e in its stream, which must be one that the head of size
// sealed covers (a later one would have been read before e).
func (s *Sealer) previous(ctx context.Context, e eventstore.Event, sealed int64) (eventstore.Event, error) {
	evs, err := s.cfg.Store.ReadStream(ctx, e.Stream, eventstore.ReadStreamOptions{From: e.Version - 1, Limit: 1})
	if err != nil {
		return eventstore.Event{}, err
	}
	if len(evs) != 1 || evs[0].Version != e.Version-1 || evs[0].Position.Commit() == 0 || int64(evs[0].Position.Commit()) > sealed {
		return eventstore.Event{}, fmt.Errorf("seal: stream %q: version %d before position %s is not a sealed event", e.Stream, e.Version-1, e.Position)
	}
	return evs[0], nil
}

// provenSealed checks that each event's leaf, made from its stored chain hash, is the leaf at its
// position in the tree r reads (checked against a signed root).
func provenSealed(r tlog.HashReader, events []eventstore.Event) error {
	const batch = 1000
	for from := 0; from < len(events); from += batch {
		part := events[from:min(from+batch, len(events))]
		idx := make([]int64, len(part))
		for i, e := range part {
			idx[i] = tlog.StoredHashIndex(0, int64(e.Position.Commit())-1)
		}
		leaves, err := r.ReadHashes(idx)
		if err != nil {
			return fmt.Errorf("seal: the tiles do not match the last head: %w", err)
		}
		for i, e := range part {
			if leaves[i] != tlog.RecordHash(LeafData(e)) {
				return fmt.Errorf("seal: stream %q version %d (position %s): its stored chain hash is not the sealed one", e.Stream, e.Version, e.Position)
			}
		}
	}
	return nil
}
