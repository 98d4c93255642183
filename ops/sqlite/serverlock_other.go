//go:build !unix

package sqlite

// lockServer takes no lock where flock(2) is missing: Store.HoldsServerLock then reports false,
// and nothing relies on being the file's only server.
func lockServer(string) (*serverLock, error) { return nil, nil }

// serverLock is never held here.
type serverLock struct{}

func (*serverLock) release() error { return nil }
