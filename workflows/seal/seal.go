// Package seal keeps civicflow's global log as a Merkle tree in the RFC 6962 form
// (golang.org/x/mod/sumdb/tlog) and signs its tree heads with Ed25519 (golang.org/x/mod/sumdb/note).
//
// Each event is one leaf: its position, stream, version and chain hash (LeafData). A signed tree
// head commits to every event up to its size. With a head and the public key, an auditor checks
// that an event is included (an inclusion proof) and that a later head extends an earlier one (a
// consistency proof): nothing up to the head was rewritten, even by someone who could write the
// database and recompute every chain hash, because they cannot sign a new head.
//
// A sealer's first seal recomputes the tree from every record (a full pass, streaming: its memory
// does not grow with the log) and signs only a tree that extends the last head it knows — from the
// database and from a Witness outside it (a heads file) — so a database writer who deletes the
// seals and rewrites the log cannot get the forgery signed. Its later seals extend the tree it
// signed by the new events only (an incremental seal, see Seal), from the tiles of a TileStore
// checked against that head.
//
//	s, _ := seal.New(seal.Config{Store: store, Tiles: store.MerkleTiles(), Seals: store.Seals(), Signer: signer, Verifier: verifier, Witness: heads, Clock: time.Now})
//	head, signed, err := s.Seal(ctx)             // check, extend, sign, record; errors.Is(err, seal.ErrRefused)
//	res, err := seal.Verify(ctx, seal.VerifyConfig{Store: copyOfStore, Heads: allHeads, Key: verifier})
package seal

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
)

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
	// Tiles keeps the tree's tiles, a cache the sealer checks against the last head before it
	// extends them. Required.
	Tiles TileStore
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
	// Clock dates the heads and, with PassShare, times the full pass's work. Required.
	Clock func() time.Time
	// PassShare is the share of the wall time a full pass may work, in (0, 1]: after each slice
	// of work (about 10 ms) it waits so that its work is at most this share, leaving the CPU to
	// the commands a server runs meanwhile; the pass takes about 1/PassShare times as long.
	// Default 1: it never waits. Incremental seals are not paced (they check the new events only).
	PassShare float64
}

// Validate reports every missing field.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct {
		name    string
		missing bool
	}{{"Store", c.Store == nil}, {"Tiles", c.Tiles == nil}, {"Seals", c.Seals == nil}, {"Signer", c.Signer == nil},
		{"Clock", c.Clock == nil}, {"Verifier (with Witness)", c.Witness != nil && c.Verifier == nil}} {
		if f.missing {
			errs = append(errs, fmt.Errorf("seal: %s is required", f.name))
		}
	}
	if c.PassShare < 0 || c.PassShare > 1 {
		errs = append(errs, fmt.Errorf("seal: PassShare must be in (0, 1] (0: the default, 1), got %v", c.PassShare))
	}
	return errors.Join(errs...)
}

// Sealer checks the log and signs heads. It is safe for concurrent use.
type Sealer struct {
	cfg Config
	mu  sync.Mutex
	// last is the head this sealer signed last; nil when the next seal must be a full pass (none
	// signed yet, or the last one was refused or failed).
	last *Head
	pass Pass
	// refused is whether the last seal that ran to its end refused the log: SealIncremental then
	// signs nothing.
	refused bool
}

// Pass names how a seal checked the log.
type Pass string

// The passes of a seal.
const (
	// PassFull recomputed every leaf from every record.
	PassFull Pass = "full"
	// PassIncremental checked and added the events after the last head only.
	PassIncremental Pass = "incremental"
)

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
	// "civicflow event\n<position>\n<stream>\n<version>\n<hash in hex>\n", built without fmt
	// (a full pass makes one per event).
	b := make([]byte, 0, len(leafPrefix)+len(e.Stream)+3*20+2*len(e.Hash)+4)
	b = append(append(b, leafPrefix...), e.Position.String()...)
	b = append(append(append(b, '\n'), e.Stream...), '\n')
	b = append(strconv.AppendInt(b, e.Version, 10), '\n')
	return append(hex.AppendEncode(b, e.Hash[:]), '\n')
}

const leafPrefix = "civicflow event\n"

// Seal checks the log, signs a head of its tree, records it in the database and appends it to
// the witness. When a check fails it signs nothing and returns a *RefusedError (errors.Is
// ErrRefused); the next seal is then a full pass again.
//
// The first seal of a Sealer is a full pass: it recomputes every leaf from every record through
// its stream's chain, checks that positions run without a gap and that the tree extends the last
// head of the witness and of the database (its root at their sizes), and rewrites the tiles that
// are missing or damaged. Each later seal is incremental when the witness's and the database's
// last heads are still the one this sealer signed: it reads that head's tiles, each checked
// against its signed root; checks the chain of every new event from the sealed hash of the event
// before it in its stream (that hash proven to be a leaf of the head) and the last sealed event;
// and extends the tree by the new leaves only. Anything that does not fit — tiles missing or not
// matching the head, a stored hash not the sealed one, a broken chain or a gap among the new
// events, other last heads — makes it a full pass, which decides.
func (s *Sealer) Seal(ctx context.Context) (Head, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, signed, err := s.seal(ctx)
	if err != nil {
		s.last = nil
	}
	if err == nil || ctx.Err() == nil {
		s.refused = errors.Is(err, ErrRefused)
	}
	return h, signed, err
}

func (s *Sealer) seal(ctx context.Context) (Head, []byte, error) {
	bases, err := s.bases(ctx)
	if err != nil {
		return Head{}, nil, err
	}
	var size int64
	var root tlog.Hash
	if s.last != nil && s.agree(bases, *s.last) {
		size, root, err = s.extend(ctx, *s.last)
		s.pass = PassIncremental
	}
	if s.last == nil || !s.agree(bases, *s.last) || err != nil {
		if ctx.Err() != nil {
			return Head{}, nil, ctx.Err()
		}
		s.last, s.pass = nil, PassFull
		if size, root, err = s.full(ctx, bases); err != nil {
			return Head{}, nil, err
		}
	}
	return s.sign(ctx, size, root)
}

// sign signs the head of the tree of size and root, records it in the database, then appends it
// to the witness, and remembers it as the head the next incremental seal extends.
func (s *Sealer) sign(ctx context.Context, size int64, root tlog.Hash) (Head, []byte, error) {
	h := Head{Size: size, Root: root, Time: s.cfg.Clock().UTC()}
	signed, err := note.Sign(&note.Note{Text: h.Text()}, s.cfg.Signer)
	if err != nil {
		return Head{}, nil, err
	}
	// The database first: a head in the witness that the database lacks means deleted seals.
	if err := s.cfg.Seals.Record(ctx, size, signed, h.Time); err != nil {
		return Head{}, nil, err
	}
	if s.cfg.Witness != nil {
		if err := s.cfg.Witness.Append(ctx, signed); err != nil {
			return Head{}, nil, fmt.Errorf("seal: append the head to %s: %w", s.cfg.Witness, err)
		}
	}
	s.last = &h
	return h, signed, nil
}

// LastPass says how the last successful seal checked the log.
func (s *Sealer) LastPass() Pass {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pass
}

// Prove returns the inclusion proof of the event at leaf index (position-1) in the tree of size
// n, from the tiles (unchecked: check the proof against the signed root).
func (s *Sealer) Prove(n, index int64) (tlog.RecordProof, error) {
	return tlog.ProveRecord(n, index, TileHashes(s.cfg.Tiles))
}

// ProveTree returns the consistency proof that the tree of size n extends the tree of size m,
// from the tiles (unchecked: check the proof against the signed roots).
func (s *Sealer) ProveTree(n, m int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(n, m, TileHashes(s.cfg.Tiles))
}
