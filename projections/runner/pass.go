package runner

import "context"

// PassState is what a read model keeps across the pages of one rebuild pass over the log: the
// pass starts from the build's empty tables, and nothing but the pass writes them, so a read
// model may remember what it wrote (the rows it would otherwise look up) instead of reading it
// back, and may take a row it does not remember as absent. A read model gets it with Pass, keyed
// like Remember; outside a rebuild pass, and for the rest of a pass whose page failed (the
// state may then hold rows the rolled-back transaction never kept), there is none. It is used by
// one goroutine at a time.
type PassState struct {
	values map[any]any
}

type passKey struct{}

// newPassState returns an empty pass state.
func newPassState() *PassState { return &PassState{values: map[any]any{}} }

// withPass returns ctx carrying ps (none when ps is nil).
func withPass(ctx context.Context, ps *PassState) context.Context {
	if ps == nil {
		return ctx
	}
	return context.WithValue(ctx, passKey{}, ps)
}

// Pass returns the read model's state for the rebuild pass that applies its events in ctx,
// made by fresh at its first use, and whether there is such a pass: false outside a rebuild
// pass from empty tables (a live batch, a catch-up) and after a failed page, when the read model
// must read its tables as it does outside. key must be comparable and of a type private to the
// read model's package (see Remember).
func Pass[V any](ctx context.Context, key any, fresh func() V) (V, bool) {
	ps, _ := ctx.Value(passKey{}).(*PassState)
	if ps == nil {
		var zero V
		return zero, false
	}
	if v, ok := ps.values[key]; ok {
		return v.(V), true
	}
	v := fresh()
	ps.values[key] = v
	return v, true
}
