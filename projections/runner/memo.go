package runner

import "context"

// A rebuild applies every read model to the same page of events, one after the other; a memo
// lets them share what they derive from those events (decoded payloads) instead of deriving it
// once each. It lives for one page and is used by one goroutine at a time.
type memo map[any]any

type memoKey struct{}

// withMemo returns ctx with a fresh memo for the read models applying one page.
func withMemo(ctx context.Context) context.Context { return context.WithValue(ctx, memoKey{}, memo{}) }

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
