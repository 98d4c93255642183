package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// Past selects a past state of a process: after the event at Version, or after the last event
// recorded at or before At. Exactly one of them is given.
type Past struct {
	// At is an instant; the state includes every event recorded at or before it.
	At time.Time
	// Version is a version (1 or more); the state includes the events up to it.
	Version int64
}

// BeyondError reports a past version that the process has not reached yet.
type BeyondError struct {
	// Requested is the version asked for; Current the process's version now.
	Requested, Current int64
}

func (e *BeyondError) Error() string {
	return fmt.Sprintf("engine: version %d does not exist, the process is at version %d", e.Requested, e.Current)
}

// check refuses a query that names both or neither, or a version below 1.
func (q Past) check() error {
	switch {
	case !q.At.IsZero() && q.Version != 0:
		return &process.InvalidError{Field: "at, version", Problem: "give at or version, not both"}
	case q.At.IsZero() && q.Version == 0:
		return &process.InvalidError{Field: "at, version", Problem: "give at or version"}
	case q.Version < 0:
		return &process.InvalidError{Field: "version", Problem: "must be a positive whole number"}
	}
	return nil
}

// PastState returns the process as it was at an instant or a version, as the actor may see it,
// and the instant the state is as of (the instant asked for, or when the version's event was
// recorded). A version beyond the current one fails with a *BeyondError; an instant before the
// process was opened with process.ErrNotFound. It starts from the nearest archived snapshot at or
// before the target whose event still carries its chain hash, and replays the rest.
func (e *Engine) PastState(ctx context.Context, actor process.Actor, id uuid.UUID, q Past) (*process.Process, time.Time, error) {
	if err := q.check(); err != nil {
		return nil, time.Time{}, err
	}
	current, err := e.current(ctx, actor, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	if q.Version > current {
		return nil, time.Time{}, &BeyondError{Requested: q.Version, Current: current}
	}
	p, asOf, err := e.replayTo(ctx, id, eventstore.Target{Version: q.Version, Time: q.At}, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	if p.Version == 0 {
		return nil, time.Time{}, process.ErrNotFound
	}
	if !q.At.IsZero() {
		asOf = q.At
	}
	return p, asOf, nil
}

// current returns the process's current version if the actor may read it (ErrNotFound
// otherwise), without copying its state.
func (e *Engine) current(ctx context.Context, actor process.Actor, id uuid.UUID) (int64, error) {
	p, _, err := e.take(ctx, id)
	if err != nil {
		return 0, err
	}
	defer e.release(p)
	if p.Version == 0 || !actor.Sees(p.Tenant) || !actor.Allowed(process.ActRead) {
		return 0, process.ErrNotFound
	}
	return p.Version, nil
}
