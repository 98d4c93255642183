//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// lockServer takes the server lock of the database file at path: an exclusive flock(2) on the
// file itself. It is independent of the POSIX record locks SQLite takes, so it neither blocks nor
// is released by SQLite's connections, and CLI commands that open the file without it are not
// affected. The file is created when missing (an empty file is an empty database to SQLite).
//
// Closing any descriptor of a file drops the process's POSIX locks on it, SQLite's included. So
// the returned lock must be released after every SQLite connection of this process to the file
// is closed, and a file this process already holds the lock of is refused before a second
// descriptor of it is opened. Another process's lock is found by flock; the descriptor opened to
// try is closed then, which is harmless in a server that opens its store first.
func lockServer(path string) (*serverLock, error) {
	held.Lock()
	defer held.Unlock()
	if fi, err := os.Stat(path); err == nil && held.files[fileKey(fi)] {
		return nil, fmt.Errorf("%w: %s (in this process)", ErrServed, path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s for the server lock: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrServed, path)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	key := fileKey(fi)
	held.files[key] = true
	return &serverLock{f: f, key: key}, nil
}

// serverLock is a held server lock.
type serverLock struct {
	f   *os.File
	key [2]uint64
}

// release gives the lock up by closing its descriptor.
func (l *serverLock) release() error {
	held.Lock()
	defer held.Unlock()
	delete(held.files, l.key)
	return l.f.Close()
}

// held lists the files whose server lock this process holds, by device and inode.
var held = struct {
	sync.Mutex
	files map[[2]uint64]bool
}{files: map[[2]uint64]bool{}}

func fileKey(fi os.FileInfo) [2]uint64 {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return [2]uint64{}
	}
	return [2]uint64{uint64(st.Dev), st.Ino}
}
