// Package seal keeps civicflow's global log as a Merkle tree in the RFC 6962 form
// (golang.org/x/mod/sumdb/tlog) and signs its tree heads with Ed25519 (golang.org/x/mod/sumdb/note).
//
// Each event is one leaf: its position, stream, version and chain hash (LeafData). A signed tree
// head commits to every event up to its size. With a head and the public key, an auditor checks
// that an event is included (an inclusion proof) and that a later head extends an earlier one (a
// consistency proof): nothing up to the head was rewritten, even by someone who could write the
// database and recompute every chain hash, because they cannot sign a new head.
//
//	s, _ := seal.New(seal.Config{Store: store, Hashes: store.MerkleHashes(), Seals: store.Seals(), Signer: signer, Clock: time.Now})
//	head, _ := s.Seal(ctx)                       // extend the tree, sign and record a head
//	err := seal.VerifyLog(ctx, copyOfStore, []seal.SignedHead{head.Signed}, verifier)
package seal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// HashStore keeps the tree's stored hashes (tlog.StoredHashIndex order).
type HashStore interface {
	tlog.HashReader
	// Count is how many stored hashes there are.
	Count(ctx context.Context) (int64, error)
	// Append stores hashes at indexes Count, Count+1, …
	Append(ctx context.Context, hashes []tlog.Hash) error
}

// SealStore records signed tree heads.
type SealStore interface {
	// Record stores a signed head.
	Record(ctx context.Context, size int64, signed []byte, at time.Time) error
	// List returns every signed head, smallest tree first.
	List(ctx context.Context) ([][]byte, error)
}

// Config configures a Sealer.
type Config struct {
	// Store is the event log. Required.
	Store eventstore.Store
	// Hashes keeps the tree. Required.
	Hashes HashStore
	// Seals records signed heads. Required.
	Seals SealStore
	// Signer signs tree heads (note.NewSigner with an Ed25519 key). Required.
	Signer note.Signer
	// Clock dates the heads. Required.
	Clock func() time.Time
}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	for name, missing := range map[string]bool{"Store": c.Store == nil, "Hashes": c.Hashes == nil, "Seals": c.Seals == nil, "Signer": c.Signer == nil, "Clock": c.Clock == nil} {
		if missing {
			errs = append(errs, fmt.Errorf("seal: %s is required", name))
		}
	}
	return errors.Join(errs...)
}

// Sealer extends the tree and signs heads. It is safe for concurrent use.
type Sealer struct {
	cfg Config
	mu  sync.Mutex
}

// New returns a sealer.
func New(cfg Config) (*Sealer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sealer{cfg: cfg}, nil
}

// LeafData is the leaf of one event: what the tree commits to.
func LeafData(e eventstore.Event) []byte {
	return fmt.Appendf(nil, "civicflow event\n%s\n%s\n%d\n%s\n", e.Position, e.Stream, e.Version, e.Hash)
}

// size returns the number of leaves the stored hashes describe.
func treeSize(count int64) int64 {
	// StoredHashCount is increasing; find n with StoredHashCount(n) == count.
	lo, hi := int64(0), count
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if tlog.StoredHashCount(mid) <= count {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Update adds the events committed since the last update to the tree and returns its size.
func (s *Sealer) Update(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	count, err := s.cfg.Hashes.Count(ctx)
	if err != nil {
		return 0, err
	}
	size := treeSize(count)
	after := eventstore.Start
	if size > 0 {
		// Leaves are events in log order; the store's positions are contiguous from 1.
		after = eventstore.SequencePosition(uint64(size))
	}
	mem := &overlay{base: s.cfg.Hashes, start: count}
	for {
		page, err := s.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			return 0, err
		}
		for _, e := range page {
			hashes, err := tlog.StoredHashes(size, LeafData(e), mem)
			if err != nil {
				return 0, err
			}
			mem.extra = append(mem.extra, hashes...)
			size++
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Position
	}
	if len(mem.extra) > 0 {
		if err := s.cfg.Hashes.Append(ctx, mem.extra); err != nil {
			return 0, err
		}
	}
	return size, nil
}

// overlay reads stored hashes from base and, beyond start, from extra (not yet written).
type overlay struct {
	base  tlog.HashReader
	start int64
	extra []tlog.Hash
}

func (o *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var fromBase []int64
	for _, i := range indexes {
		if i < o.start {
			fromBase = append(fromBase, i)
		}
	}
	var base []tlog.Hash
	if len(fromBase) > 0 {
		var err error
		if base, err = o.base.ReadHashes(fromBase); err != nil {
			return nil, err
		}
	}
	for k, i := range indexes {
		switch {
		case i < o.start:
			out[k], base = base[0], base[1:]
		case i-o.start < int64(len(o.extra)):
			out[k] = o.extra[i-o.start]
		default:
			return nil, fmt.Errorf("seal: stored hash %d does not exist", i)
		}
	}
	return out, nil
}

// Seal extends the tree, signs its head and records it.
func (s *Sealer) Seal(ctx context.Context) (Head, []byte, error) {
	size, err := s.Update(ctx)
	if err != nil {
		return Head{}, nil, err
	}
	root, err := tlog.TreeHash(size, s.cfg.Hashes)
	if err != nil {
		return Head{}, nil, err
	}
	h := Head{Size: size, Root: root, Time: s.cfg.Clock().UTC()}
	signed, err := note.Sign(&note.Note{Text: h.Text()}, s.cfg.Signer)
	if err != nil {
		return Head{}, nil, err
	}
	if err := s.cfg.Seals.Record(ctx, size, signed, h.Time); err != nil {
		return Head{}, nil, err
	}
	return h, signed, nil
}

// Prove returns the inclusion proof of the event at leaf index (position-1) in the tree of size n.
func (s *Sealer) Prove(n, index int64) (tlog.RecordProof, error) {
	return tlog.ProveRecord(n, index, s.cfg.Hashes)
}

// ProveTree returns the consistency proof that the tree of size n extends the tree of size m.
func (s *Sealer) ProveTree(n, m int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(n, m, s.cfg.Hashes)
}
