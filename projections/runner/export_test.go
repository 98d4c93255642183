package runner

import "testing"

// ShrinkPages makes rebuilds use pages and parts a fifth of their size (rebuildPage 2,000 events
// in parts of readPage 200) until t ends, and returns that divisor. A test of how a rebuild
// splits the log into pages and parts then needs a fifth of the events for the same split, and
// a fifth of the time: under the race detector a rebuild of 12,345 events and its check by a
// replay event by event took 77 s on a loaded 2-core machine. The test must not run in
// parallel with others of this package.
func ShrinkPages(t testing.TB) int {
	const by = 5
	page, part := rebuildPage, readPage
	rebuildPage, readPage = page/by, part/by
	t.Cleanup(func() { rebuildPage, readPage = page, part })
	return by
}
