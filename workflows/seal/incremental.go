package seal

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotSealed means SealIncremental signed nothing: no signed head could be extended by the new
// events alone. The next full pass (Seal of a new Sealer) checks the log.
var ErrNotSealed = errors.New("seal: nothing new sealed")

// ErrNoHead is the reason SealIncremental gives when no head was signed yet: there is nothing to
// extend, and the log's first seal is a full pass.
var ErrNoHead = errors.New("no head was signed yet")

// NotSealedError says why SealIncremental signed nothing.
type NotSealedError struct {
	// Reason is why no head could be extended.
	Reason error
}

func (e *NotSealedError) Error() string {
	return "seal: nothing new sealed, the next full pass checks the log: " + e.Reason.Error()
}

// Unwrap returns ErrNotSealed and the reason.
func (e *NotSealedError) Unwrap() []error { return []error{ErrNotSealed, e.Reason} }

// SealIncremental is the seal of a stop: it extends a signed head by the events after it, as an
// incremental Seal does, and never runs a full pass. Its base is the head this sealer signed last
// when the witness's and the database's last heads are still that one; before this sealer signed
// any (a stop during the first, full pass) it is their last head when both have the same one,
// its signature checked with Config.Verifier. The tiles are read only as far as they give that
// head's signed root; each new event's chain is checked from its record and a hash that head
// sealed. The new head then covers the base's leaves, which the base signed, and new events that
// were checked — a record of the base's events changed meanwhile is not covered, and the next full
// pass refuses the log. When there is no such base (no heads, other last heads, no Verifier, a
// refusal by this sealer), or the tiles, a chain or a position do not fit, it signs nothing and
// returns a *NotSealedError (errors.Is ErrNotSealed): the next full pass decides.
func (s *Sealer) SealIncremental(ctx context.Context) (Head, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused {
		return Head{}, nil, &NotSealedError{Reason: errors.New("this sealer refused the log")}
	}
	bases, err := s.bases(ctx)
	if err != nil {
		return Head{}, nil, &NotSealedError{Reason: err}
	}
	b, err := s.incrementalBase(bases)
	if err != nil {
		return Head{}, nil, &NotSealedError{Reason: err}
	}
	size, root, err := s.extend(ctx, b)
	if err != nil {
		return Head{}, nil, &NotSealedError{Reason: err}
	}
	s.pass = PassIncremental
	return s.sign(ctx, size, root)
}

// incrementalBase is the head SealIncremental extends (see there).
func (s *Sealer) incrementalBase(bases []base) (Head, error) {
	if s.last != nil {
		if !s.agree(bases, *s.last) {
			return Head{}, errors.New("the last heads are not the one this sealer signed")
		}
		return *s.last, nil
	}
	if s.cfg.Verifier == nil {
		return Head{}, errors.New("no verifier to check the last head's signature")
	}
	if len(bases) == 0 {
		return Head{}, ErrNoHead
	}
	if s.cfg.Witness != nil && len(bases) == 1 {
		return Head{}, fmt.Errorf("only %s has a last head", describe(bases))
	}
	if !s.agree(bases, bases[0].head) {
		return Head{}, fmt.Errorf("the last heads of %s differ", describe(bases))
	}
	return bases[0].head, nil
}

func describe(bases []base) string {
	out := ""
	for i, b := range bases {
		if i > 0 {
			out += " and "
		}
		out += fmt.Sprintf("%s (%d events)", b.source, b.head.Size)
	}
	return out
}
