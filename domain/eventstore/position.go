package eventstore

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is a point in the global log. Callers treat it as opaque: they keep it (String,
// ParsePosition), compare it (Compare) and hand it back to the store that issued it. Stores with
// a single sequence (SQLite, PostgreSQL) use the same number for both parts; EventStoreDB uses its
// commit and prepare positions. The zero Position is the start of the log, before any event.
type Position struct {
	commit, prepare uint64
}

// Start is the position before the first event.
var Start = Position{}

// NewPosition makes a position from a store's commit and prepare numbers. Only adapters call it.
func NewPosition(commit, prepare uint64) Position {
	return Position{commit: commit, prepare: prepare}
}

// SequencePosition makes the position of a store whose global log is one sequence.
func SequencePosition(seq uint64) Position {
	return Position{commit: seq, prepare: seq}
}

// Commit is the commit part of the position. Only adapters interpret it.
func (p Position) Commit() uint64 { return p.commit }

// Prepare is the prepare part of the position. Only adapters interpret it.
func (p Position) Prepare() uint64 { return p.prepare }

// IsZero reports whether p is Start.
func (p Position) IsZero() bool { return p == Start }

// Compare returns -1, 0 or +1 as p is before, equal to or after q in the global log.
func (p Position) Compare(q Position) int {
	switch {
	case p.commit < q.commit:
		return -1
	case p.commit > q.commit:
		return 1
	case p.prepare < q.prepare:
		return -1
	case p.prepare > q.prepare:
		return 1
	}
	return 0
}

// String encodes the position for storage: "42" when both parts are equal, else "commit:prepare".
func (p Position) String() string {
	if p.commit == p.prepare {
		return strconv.FormatUint(p.commit, 10)
	}
	return strconv.FormatUint(p.commit, 10) + ":" + strconv.FormatUint(p.prepare, 10)
}

// ParsePosition decodes a position written by Position.String.
func ParsePosition(s string) (Position, error) {
	c, pr, two := strings.Cut(s, ":")
	commit, err := strconv.ParseUint(c, 10, 64)
	if err != nil {
		return Start, fmt.Errorf("eventstore: position %q: not a position", s)
	}
	if !two {
		return SequencePosition(commit), nil
	}
	prepare, err := strconv.ParseUint(pr, 10, 64)
	if err != nil {
		return Start, fmt.Errorf("eventstore: position %q: not a position", s)
	}
	return NewPosition(commit, prepare), nil
}
