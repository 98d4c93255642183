package esdb

import (
	"context"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Exposed for the package's external tests.
var (
	Revision     = revision
	ToProposed   = toProposed
	FromRecorded = fromRecorded
	Translate    = translate
	ErrConflict  = errConflict
	ErrForeign   = errNotCivicflow
	ServerFilter = serverFilter
)

// LastCivicflow is lastCivicflow, for the head's tests.
var LastCivicflow = lastCivicflow

// FindIndex is Find's index of event IDs, for its tests.
type FindIndex = idIndex

// NewFindIndex is newIDIndex.
var NewFindIndex = newIDIndex

// Find is Find's algorithm on one stream over read.
func (x *idIndex) Find(ctx context.Context, stream string, ids []uuid.UUID,
	read func(ctx context.Context, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error)) (map[uuid.UUID]int64, error) {
	return x.find(ctx, stream, ids, read)
}

// Total is how many IDs the index holds.
func (x *idIndex) Total() int { x.mu.Lock(); defer x.mu.Unlock(); return x.total }
