package eventstore

import "context"

type progressKey struct{}

// WithProgress returns a context whose long operations (a whole-log verification, a read-model
// rebuild) report through f how far they got: done is how many events of the log they have
// passed (for the embedded store, the position reached). f is called from the operation's
// goroutine, often; it should be cheap.
func WithProgress(ctx context.Context, f func(done int64)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// ReportProgress tells ctx's progress function (if any) how far a long operation got.
func ReportProgress(ctx context.Context, done int64) {
	if f, ok := ctx.Value(progressKey{}).(func(int64)); ok {
		f(done)
	}
}
