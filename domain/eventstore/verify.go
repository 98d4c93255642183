package eventstore

import "fmt"

// ChainVerifier checks events read from the global log in order: every stream's versions follow
// each other from 1 without a gap, and every event's hash is the chain hash of its record and its
// predecessor's hash. Stores use it in Verify; auditors use it on exports.
type ChainVerifier struct {
	heads map[string]chainHead
}

type chainHead struct {
	version int64
	hash    Hash
}

// NewChainVerifier returns a verifier that has seen no events.
func NewChainVerifier() *ChainVerifier {
	return &ChainVerifier{heads: make(map[string]chainHead)}
}

// Check checks the next event of the global log and returns an *IntegrityError for the first
// broken link. After an error the verifier's state is undefined.
func (v *ChainVerifier) Check(e Event) error {
	head := v.heads[e.Stream]
	if e.Version != head.version+1 {
		problem := fmt.Sprintf("version %d follows version %d: an event is missing or out of order", e.Version, head.version)
		return &IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position, Problem: problem}
	}
	want := ChainHash(head.hash, EncodeRecord(e))
	if want != e.Hash {
		return &IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position,
			Problem: "hash does not match the stored record and its predecessor: the event was changed, replaced or moved"}
	}
	v.heads[e.Stream] = chainHead{version: e.Version, hash: e.Hash}
	return nil
}

// Head returns the version and hash of the last event checked in stream (0 and the zero Hash if none).
func (v *ChainVerifier) Head(stream string) (int64, Hash) {
	h := v.heads[stream]
	return h.version, h.hash
}

// Streams returns how many streams the verifier has seen.
func (v *ChainVerifier) Streams() int { return len(v.heads) }
