package eventstore

import (
	"context"

	"github.com/google/uuid"
)

// Store is an append-only event store. All methods are safe for concurrent use.
type Store interface {
	// Append records events at the end of stream, atomically: all or none. It fails with a
	// *ConcurrencyError when the stream's version does not satisfy expected, and with an
	// *InputError, writing nothing, when the input breaks ValidateAppend's rules. Appending the
	// same event IDs to the same stream at the same versions again succeeds, reports Duplicate
	// and writes nothing; reusing an ID with other content fails with an *IdempotencyError.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events ...EventData) (AppendResult, error)
	// ReadStream reads one stream's events. A stream without events reads as empty, not an error.
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]Event, error)
	// Find reports which of ids (1 to MaxFindIDs, none nil) name events recorded in stream, with
	// the stream version of each; IDs not recorded, or recorded in another stream, are absent from
	// the answer. Stores with an event-ID index answer from it, at a cost that does not grow with
	// the stream. With IDs from CommandEventID it tells whether a command was handled, however
	// long ago. ops/sqlite also answers for the CommandEventIDs of events it recorded under other
	// IDs before it derived them (see its migration 7).
	Find(ctx context.Context, stream string, ids ...uuid.UUID) (map[uuid.UUID]int64, error)
	// ReadAll reads the global log in order, after a position, with a limit and a filter.
	ReadAll(ctx context.Context, opts ReadAllOptions) ([]Event, error)
	// Subscribe starts a catch-up subscription: first the history after opts.After, then live
	// events as they are committed, in global order, with no gap and no duplicate.
	Subscribe(ctx context.Context, opts SubscribeOptions) (Subscription, error)
	// Verify checks every stream's hash chain and the continuity of the log. It returns nil or
	// the first problem found as an *IntegrityError.
	Verify(ctx context.Context) error
	// Close releases the store. Pending appends finish first; later calls fail with ErrClosed.
	Close() error
}

// Direction is the order of a stream read.
type Direction uint8

const (
	// Forwards reads from older to newer events.
	Forwards Direction = iota
	// Backwards reads from newer to older events.
	Backwards
)

// ReadStreamOptions selects part of a stream.
type ReadStreamOptions struct {
	// Direction is Forwards (default) or Backwards.
	Direction Direction
	// From is the first version to read (inclusive). 0 means the start when reading forwards and
	// the end when reading backwards. Negative is invalid.
	From int64
	// Limit is the most events to return; 0 means no limit. Negative is invalid.
	Limit int
}

// Filter selects events from the global log. An empty filter selects everything; within a field
// any entry may match, and both fields must match.
type Filter struct {
	// StreamPrefixes selects streams whose name starts with one of these, e.g. "process-" for the
	// category "process".
	StreamPrefixes []string
	// EventTypes selects events of these types.
	EventTypes []string
}

// IsEmpty reports whether f selects every event.
func (f Filter) IsEmpty() bool { return len(f.StreamPrefixes) == 0 && len(f.EventTypes) == 0 }

// Matches reports whether an event of type typ in stream passes the filter.
func (f Filter) Matches(stream, typ string) bool {
	return f.matchesStream(stream) && f.matchesType(typ)
}

func (f Filter) matchesStream(stream string) bool {
	if len(f.StreamPrefixes) == 0 {
		return true
	}
	for _, p := range f.StreamPrefixes {
		if len(stream) >= len(p) && stream[:len(p)] == p {
			return true
		}
	}
	return false
}

func (f Filter) matchesType(typ string) bool {
	if len(f.EventTypes) == 0 {
		return true
	}
	for _, t := range f.EventTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// CategoryPrefix returns the stream prefix of a category: streams of category "process" are
// named "process-…".
func CategoryPrefix(category string) string { return category + "-" }

// ReadAllOptions selects part of the global log.
type ReadAllOptions struct {
	// After is the position to read after (exclusive); Start reads from the beginning.
	After Position
	// Limit is the most events to return; 0 means the store's default page (1000). Negative is invalid.
	Limit int
	// Filter selects events; empty selects all.
	Filter Filter
}

// DefaultReadAllLimit is the page size of ReadAll when no limit is given.
const DefaultReadAllLimit = 1000

// SubscribeOptions configures a catch-up subscription.
type SubscribeOptions struct {
	// After is the checkpoint to resume from (exclusive); Start delivers the whole log.
	After Position
	// Filter selects events; empty selects all.
	Filter Filter
}

// Subscription delivers events of the global log in order. It is used by one goroutine.
type Subscription interface {
	// Next blocks until the next event is available and returns it. It returns ctx.Err() when ctx
	// ends, and ErrClosed after Close or when the store closes.
	Next(ctx context.Context) (Event, error)
	// Close ends the subscription.
	Close() error
}

// HeadReader is implemented by stores that can tell the position of the last event in the global
// log. A reader of a read model uses it to wait until the read model shows every write that was
// acknowledged before the read began.
type HeadReader interface {
	// Head returns the position of the last event in the log (Start when it is empty).
	Head(ctx context.Context) (Position, error)
}
