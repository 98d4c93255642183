package eventstore

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

var (
	// ErrConcurrency means the stream's version did not satisfy the expected version.
	// The error is a *ConcurrencyError.
	ErrConcurrency = errors.New("eventstore: wrong expected version")
	// ErrInvalidInput means the request was malformed and nothing was written.
	// The error is an *InputError naming the field.
	ErrInvalidInput = errors.New("eventstore: invalid input")
	// ErrDuplicateEventID means an event ID is already recorded with other content or at another
	// place, so the append is neither new nor a retry. The error is an *IdempotencyError.
	ErrDuplicateEventID = errors.New("eventstore: event ID already recorded differently")
	// ErrIntegrity means the stored log is not what was appended: a hash chain is broken, an event
	// is missing, or the global log has a gap. The error is an *IntegrityError.
	ErrIntegrity = errors.New("eventstore: integrity check failed")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("eventstore: store closed")
	// ErrStorageFull means the store had no room for the write (a full disk or the store's size
	// limit); nothing of it was written. Retrying succeeds once room was made.
	ErrStorageFull = errors.New("eventstore: storage full")
)

// ConcurrencyError reports an append refused by its expected version.
type ConcurrencyError struct {
	// Stream is the stream appended to.
	Stream string
	// Expected is the condition the caller gave.
	Expected ExpectedVersion
	// Actual is the stream's version at the time (0: no events).
	Actual int64
}

func (e *ConcurrencyError) Error() string {
	return fmt.Sprintf("eventstore: stream %q: expected version %s, actual version %d", e.Stream, e.Expected, e.Actual)
}

// Unwrap returns ErrConcurrency.
func (e *ConcurrencyError) Unwrap() error { return ErrConcurrency }

// InputError reports malformed input: which field and what is wrong with it.
type InputError struct {
	// Field names the offending input, e.g. "stream" or "events[2].data".
	Field string
	// Problem says what is wrong, e.g. "is empty".
	Problem string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("eventstore: invalid %s: %s", e.Field, e.Problem)
}

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

// IdempotencyError reports an event ID that is already recorded with other content or elsewhere.
type IdempotencyError struct {
	// EventID is the ID that was reused.
	EventID uuid.UUID
	// Stream is the stream of the refused append.
	Stream string
	// Problem says how the recorded event differs.
	Problem string
}

func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("eventstore: stream %q: event %s: %s", e.Stream, e.EventID, e.Problem)
}

// Unwrap returns ErrDuplicateEventID.
func (e *IdempotencyError) Unwrap() error { return ErrDuplicateEventID }

// IntegrityError reports the first broken link found by a verification.
type IntegrityError struct {
	// Stream is the stream where the problem was found ("" for a gap in the global log).
	Stream string
	// Version is the stream version concerned (0 if unknown).
	Version int64
	// Position is the global position concerned.
	Position Position
	// Problem says what is wrong.
	Problem string
}

func (e *IntegrityError) Error() string {
	if e.Stream == "" {
		return fmt.Sprintf("eventstore: integrity: position %s: %s", e.Position, e.Problem)
	}
	return fmt.Sprintf("eventstore: integrity: stream %q version %d (position %s): %s", e.Stream, e.Version, e.Position, e.Problem)
}

// Unwrap returns ErrIntegrity.
func (e *IntegrityError) Unwrap() error { return ErrIntegrity }
