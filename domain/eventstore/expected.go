package eventstore

import "strconv"

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

// ExpectedVersion is the optimistic-concurrency condition of an append, with EventStoreDB's
// meaning: Any appends unconditionally, NoStream only to a stream without events, StreamExists
// only to a stream with at least one event, Exact(n) only when the stream's version is n.
type ExpectedVersion struct {
	kind    expectKind
	version int64
}

var (
	// Any appends whatever the stream's version is.
	Any = ExpectedVersion{kind: expectAny}
	// NoStream appends only if the stream has no events yet.
	NoStream = ExpectedVersion{kind: expectNoStream}
	// StreamExists appends only if the stream has at least one event.
	StreamExists = ExpectedVersion{kind: expectStreamExists}
)

// Exact appends only if the stream's version is exactly v. Exact(0) is the same as NoStream. A
// negative v is invalid input.
func Exact(v int64) ExpectedVersion {
	return ExpectedVersion{kind: expectExact, version: v}
}

// IsExact reports whether e names an exact version, and which.
func (e ExpectedVersion) IsExact() (int64, bool) {
	return e.version, e.kind == expectExact
}

// IsAny reports whether e is Any.
func (e ExpectedVersion) IsAny() bool { return e.kind == expectAny }

// IsNoStream reports whether e is NoStream or Exact(0).
func (e ExpectedVersion) IsNoStream() bool {
	return e.kind == expectNoStream || (e.kind == expectExact && e.version == 0)
}

// IsStreamExists reports whether e is StreamExists.
func (e ExpectedVersion) IsStreamExists() bool { return e.kind == expectStreamExists }

// Allows reports whether a stream whose current version is current (0: no events) satisfies e.
func (e ExpectedVersion) Allows(current int64) bool {
	switch e.kind {
	case expectNoStream:
		return current == 0
	case expectStreamExists:
		return current > 0
	case expectExact:
		return current == e.version
	default:
		return true
	}
}

// String returns "any", "no_stream", "stream_exists" or the exact version.
func (e ExpectedVersion) String() string {
	switch e.kind {
	case expectNoStream:
		return "no_stream"
	case expectStreamExists:
		return "stream_exists"
	case expectExact:
		return strconv.FormatInt(e.version, 10)
	default:
		return "any"
	}
}
