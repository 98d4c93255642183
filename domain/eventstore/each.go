package eventstore

import "context"

// Each reads the global log through s in pages of 1,000 and calls fn for every event that
// matches f, in log order; it stops at the first error (fn's or the store's). After each page it
// reports its position to ctx's progress function (ReportProgress).
func Each(ctx context.Context, s Store, f Filter, fn func(Event) error) error {
	const page = 1000
	after := Start
	for {
		batch, err := s.ReadAll(ctx, ReadAllOptions{After: after, Limit: page, Filter: f})
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < page {
			return nil
		}
		after = batch[len(batch)-1].Position
		ReportProgress(ctx, int64(after.Commit()))
	}
}
