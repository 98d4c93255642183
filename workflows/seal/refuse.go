package seal

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrRefused means the sealer refused to sign: the log is not one it may seal.
var ErrRefused = errors.New("seal: refused to sign")

// RefusedError says why the sealer signed nothing.
type RefusedError struct {
	// Reason is the problem: an *eventstore.IntegrityError for a broken chain or a gap, or the
	// head the log does not extend.
	Reason error
}

func (e *RefusedError) Error() string {
	return "seal: refused to sign a new head: " + e.Reason.Error()
}

// Unwrap returns ErrRefused and the reason.
func (e *RefusedError) Unwrap() []error { return []error{ErrRefused, e.Reason} }

// extendsLast checks that the recomputed tree extends the last head of the witness and the last
// seal of the database.
func (s *Sealer) extendsLast(ctx context.Context, t *tree, root tlog.Hash) error {
	if s.cfg.Witness != nil {
		last, err := s.cfg.Witness.Last(ctx)
		if err != nil {
			return &RefusedError{Reason: fmt.Errorf("the last head of %s cannot be read: %w", s.cfg.Witness, err)}
		}
		if err := s.extends(t, root, last, s.cfg.Witness.String()); err != nil {
			return err
		}
	}
	seals, err := s.cfg.Seals.List(ctx)
	if err != nil {
		return err
	}
	if len(seals) > 0 {
		return s.extends(t, root, seals[len(seals)-1], "the database's seals")
	}
	return nil
}

// extends checks with a consistency proof that the tree of root extends the signed head.
func (s *Sealer) extends(t *tree, root tlog.Hash, signed []byte, source string) error {
	if signed == nil {
		return nil
	}
	open := ReadHead
	if s.cfg.Verifier != nil {
		open = func(b []byte) (Head, error) { return OpenHead(b, s.cfg.Verifier) }
	}
	h, err := open(signed)
	if err != nil {
		return &RefusedError{Reason: fmt.Errorf("the last head of %s: %w", source, err)}
	}
	if h.Size > t.size {
		return &RefusedError{Reason: fmt.Errorf("the log has %d events, fewer than the %d of the last head of %s (signed at %s): events were removed", t.size, h.Size, source, stamp(h.Time))}
	}
	if h.Size == 0 {
		return nil
	}
	proof, err := tlog.ProveTree(t.size, h.Size, t.hashes)
	if err == nil {
		err = tlog.CheckTree(proof, t.size, root, h.Size, h.Root)
	}
	if err != nil {
		return &RefusedError{Reason: fmt.Errorf("the log of %d events does not extend the last head of %s (%d events, signed at %s): events it sealed were changed, removed or rewritten (%v)",
			t.size, source, h.Size, stamp(h.Time), err)}
	}
	return nil
}
