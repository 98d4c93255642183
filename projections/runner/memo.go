package runner

import (
	"context"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// A rebuild applies every read model to the same part of a page of events, one after the other;
// a memo lets them share what they derive from those events (decoded payloads) instead of
// deriving it once each, and lets Preparers derive it ahead. It lives for one part and is used by
// one goroutine at a time: filled by Prepare on the read-ahead goroutine, then handed over with
// the page through a channel.
type memo map[any]any

type memoKey struct{}

// Preparer is a read model that derives what it needs from a rebuild's events ahead of applying
// them: Prepare Remembers it (decoded payloads) in ctx, on the goroutine that reads the log while
// the previous page is applied on another. It is only a head start: ApplyBatch must Remember the
// same keys and compute what is missing, so Prepare may skip what fails.
type Preparer interface {
	Prepare(ctx context.Context, events []eventstore.Event)
}

// Remember returns what fn computes for key, computed once for all read models applying the same
// page of a rebuild; elsewhere (no page memo in ctx) it calls fn. A failed fn is not remembered.
// key must be comparable and of a type private to the package that derives the value, so that
// the keys of different packages never meet.
func Remember[V any](ctx context.Context, key any, fn func() (V, error)) (V, error) {
	m, _ := ctx.Value(memoKey{}).(memo)
	if m == nil {
		return fn()
	}
	if v, ok := m[key]; ok {
		return v.(V), nil
	}
	v, err := fn()
	if err == nil {
		m[key] = v
	}
	return v, err
}
