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

// base is a last head the new tree must extend, and where it came from.
type base struct {
	head   Head
	source string
}

// bases returns the last head of the witness and the last seal of the database (those present).
func (s *Sealer) bases(ctx context.Context) ([]base, error) {
	var out []base
	open := ReadHead
	if s.cfg.Verifier != nil {
		open = func(b []byte) (Head, error) { return OpenHead(b, s.cfg.Verifier) }
	}
	add := func(signed []byte, source string) error {
		if signed == nil {
			return nil
		}
		h, err := open(signed)
		if err != nil {
			return &RefusedError{Reason: fmt.Errorf("the last head of %s: %w", source, err)}
		}
		out = append(out, base{h, source})
		return nil
	}
	if s.cfg.Witness != nil {
		last, err := s.cfg.Witness.Last(ctx)
		if err != nil {
			return nil, &RefusedError{Reason: fmt.Errorf("the last head of %s cannot be read: %w", s.cfg.Witness, err)}
		}
		if err := add(last, s.cfg.Witness.String()); err != nil {
			return nil, err
		}
	}
	seals, err := s.cfg.Seals.List(ctx)
	if err != nil {
		return nil, err
	}
	if len(seals) > 0 {
		if err := add(seals[len(seals)-1], "the database's seals"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// agree reports whether the witness (if any) and the database both have the head h as their last
// (size and root; the time may differ).
func (s *Sealer) agree(bases []base, h Head) bool {
	want := 1
	if s.cfg.Witness != nil {
		want = 2
	}
	if len(bases) != want {
		return false
	}
	for _, b := range bases {
		if b.head.Size != h.Size || b.head.Root != h.Root {
			return false
		}
	}
	return true
}

// extends checks that the recomputed tree of size n extends the base: that the log is not shorter
// than it and that the tree's root at its size (rootAt, nil when the pass never reached that size)
// is its root.
func (b base) extends(n int64, rootAt *tlog.Hash) error {
	h := b.head
	if h.Size > n {
		return &RefusedError{Reason: fmt.Errorf("the log has %d events, fewer than the %d of the last head of %s (signed at %s): events were removed", n, h.Size, b.source, stamp(h.Time))}
	}
	if h.Size == 0 || (rootAt != nil && *rootAt == h.Root) {
		return nil
	}
	return &RefusedError{Reason: fmt.Errorf("the log of %d events does not extend the last head of %s (%d events, signed at %s): events it sealed were changed, removed or rewritten (the tree of its first %d events has another root)",
		n, b.source, h.Size, stamp(h.Time), h.Size)}
}
