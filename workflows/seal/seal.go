// Package seal keeps civicflow's global log as a Merkle tree in the RFC 6962 form
// (golang.org/x/mod/sumdb/tlog) and signs its tree heads with Ed25519 (golang.org/x/mod/sumdb/note).
//
// Each event is one leaf: its position, stream, version and chain hash (LeafData). A signed tree
// head commits to every event up to its size. With a head and the public key, an auditor checks
// that an event is included (an inclusion proof) and that a later head extends an earlier one (a
// consistency proof): nothing up to the head was rewritten, even by someone who could write the
// database and recompute every chain hash, because they cannot sign a new head.
//
// The sealer recomputes the tree from the records each time and signs only a tree that extends
// the last head it knows — from the database and from a Witness outside it (a heads file) — so a
// database writer who deletes the seals and rewrites the log cannot get the forgery signed.
//
//	s, _ := seal.New(seal.Config{Store: store, Hashes: store.MerkleHashes(), Seals: store.Seals(), Signer: signer, Verifier: verifier, Witness: heads, Clock: time.Now})
//	head, signed, err := s.Seal(ctx)             // recompute, check, sign, record; errors.Is(err, seal.ErrRefused)
//	res, err := seal.Verify(ctx, seal.VerifyConfig{Store: copyOfStore, Heads: allHeads, Key: verifier})
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

// HashStore keeps the tree's stored hashes (tlog.StoredHashIndex order): a cache for inclusion
// proofs, which verification never needs.
type HashStore interface {
	tlog.HashReader
	// Count is how many stored hashes there are.
	Count(ctx context.Context) (int64, error)
	// Append stores hashes at indexes Count, Count+1, …
	Append(ctx context.Context, hashes []tlog.Hash) error
	// Reset removes every stored hash.
	Reset(ctx context.Context) error
}

// SealStore records signed tree heads.
type SealStore interface {
	// Record stores a signed head.
	Record(ctx context.Context, size int64, signed []byte, at time.Time) error
	// List returns every signed head, smallest tree first.
	List(ctx context.Context) ([][]byte, error)
}

// Witness keeps signed heads outside the database (ops/headsfile): the sealer appends every head
// it signs, and signs only a tree that extends the last one the witness holds.
type Witness interface {
	// Last returns the last head appended, nil when there is none.
	Last(ctx context.Context) ([]byte, error)
	// Append adds a signed head.
	Append(ctx context.Context, signed []byte) error
	// String names the witness in messages (e.g. the heads file's path).
	String() string
}

// Config configures a Sealer.
type Config struct {
	// Store is the event log. Required.
	Store eventstore.Store
	// Hashes keeps the tree's cache. Required.
	Hashes HashStore
	// Seals records signed heads in the database. Required.
	Seals SealStore
	// Signer signs tree heads (note.NewSigner with an Ed25519 key). Required.
	Signer note.Signer
	// Verifier is Signer's public key: it checks the signature of the last heads the new one
	// must extend. Required with Witness; default: those heads are read without checking it.
	Verifier note.Verifier
	// Witness keeps the heads outside the database. Default: none (only the database's last seal
	// is checked, which a database writer can delete).
	Witness Witness
	// Clock dates the heads. Required.
	Clock func() time.Time
}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct {
		name    string
		missing bool
	}{{"Store", c.Store == nil}, {"Hashes", c.Hashes == nil}, {"Seals", c.Seals == nil}, {"Signer", c.Signer == nil},
		{"Clock", c.Clock == nil}, {"Verifier (with Witness)", c.Witness != nil && c.Verifier == nil}} {
		if f.missing {
			errs = append(errs, fmt.Errorf("seal: %s is required", f.name))
		}
	}
	return errors.Join(errs...)
}

// Sealer recomputes the tree and signs heads. It is safe for concurrent use.
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

// LeafData is the leaf of one event: what the tree commits to. Its Hash must be the event's chain
// hash computed from its record (the sealer and Verify compute it; they never read it).
func LeafData(e eventstore.Event) []byte {
	return fmt.Appendf(nil, "civicflow event\n%s\n%s\n%d\n%s\n", e.Position, e.Stream, e.Version, e.Hash)
}

// Seal recomputes the tree from every record of the log, checks that every stream's chain holds
// and that the tree extends the last head of the witness and of the database (a consistency
// proof), refreshes the tree cache, signs the head, records it and appends it to the witness.
// When a check fails it signs nothing and returns a *RefusedError (errors.Is ErrRefused).
func (s *Sealer) Seal(ctx context.Context) (Head, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, root, err := s.check(ctx)
	if err != nil {
		return Head{}, nil, err
	}
	if err := s.cache(ctx, t); err != nil {
		return Head{}, nil, err
	}
	h := Head{Size: t.size, Root: root, Time: s.cfg.Clock().UTC()}
	signed, err := note.Sign(&note.Note{Text: h.Text()}, s.cfg.Signer)
	if err != nil {
		return Head{}, nil, err
	}
	// The database first: a head in the witness that the database lacks means deleted seals.
	if err := s.cfg.Seals.Record(ctx, t.size, signed, h.Time); err != nil {
		return Head{}, nil, err
	}
	if s.cfg.Witness != nil {
		if err := s.cfg.Witness.Append(ctx, signed); err != nil {
			return Head{}, nil, fmt.Errorf("seal: append the head to %s: %w", s.cfg.Witness, err)
		}
	}
	return h, signed, nil
}

// check recomputes the tree and checks the chains and that the tree extends the last heads.
func (s *Sealer) check(ctx context.Context) (*tree, tlog.Hash, error) {
	t, err := recompute(ctx, s.cfg.Store, nil)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	if t.flaw != nil {
		return nil, tlog.Hash{}, &RefusedError{Reason: t.flaw}
	}
	root, err := t.root(t.size)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	return t, root, s.extendsLast(ctx, t, root)
}

// cache brings the stored tree up to t: appends the new hashes, or replaces them all when the
// stored ones are not a prefix of t (deleted, damaged or changed).
func (s *Sealer) cache(ctx context.Context, t *tree) error {
	count, err := s.cfg.Hashes.Count(ctx)
	if err != nil {
		return err
	}
	n := treeSize(count)
	if tlog.StoredHashCount(n) != count || n > t.size || !s.cachedRootIs(n, t) {
		if err := s.cfg.Hashes.Reset(ctx); err != nil {
			return err
		}
		count = 0
	}
	if count < int64(len(t.hashes)) {
		return s.cfg.Hashes.Append(ctx, t.hashes[count:])
	}
	return nil
}

func (s *Sealer) cachedRootIs(n int64, t *tree) bool {
	if n == 0 {
		return true
	}
	cached, err := tlog.TreeHash(n, s.cfg.Hashes)
	want, err2 := t.root(n)
	return err == nil && err2 == nil && cached == want
}

// treeSize returns the number of leaves that count stored hashes describe (rounded down).
func treeSize(count int64) int64 {
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

// Prove returns the inclusion proof of the event at leaf index (position-1) in the tree of size
// n, from the tree cache.
func (s *Sealer) Prove(n, index int64) (tlog.RecordProof, error) {
	return tlog.ProveRecord(n, index, s.cfg.Hashes)
}

// ProveTree returns the consistency proof that the tree of size n extends the tree of size m,
// from the tree cache.
func (s *Sealer) ProveTree(n, m int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(n, m, s.cfg.Hashes)
}
