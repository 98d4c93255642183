package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	sqlite3 "modernc.org/sqlite/lib"

	msqlite "modernc.org/sqlite"
)

// ErrInUse means another connection (a running server, a CLI command) has the database open, so
// it cannot be replaced under it.
var ErrInUse = errors.New("sqlite: the database is in use (is the server running?)")

// Backup writes a consistent copy of the database at src into the new file dst while other
// connections and processes go on writing. VACUUM INTO reads one snapshot (a read transaction:
// writers are not held up) and writes it compacted, without free pages, so nothing deleted or
// erased travels along, as one self-contained file (rollback journal, no WAL beside it). The copy
// is synced to disk. dst must not exist; on an error it is removed.
func Backup(ctx context.Context, src, dst string) (err error) {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: backup of %s: %w", src, err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sqlite: backup to %s: the file exists", dst)
	}
	db, err := sql.Open("sqlite", fileURI(src, url.Values{"mode": {"ro"}, "_busy_timeout": {"5000"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	defer func() {
		if err != nil {
			os.Remove(dst)
		}
	}()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("sqlite: backup of %s into %s: %w", src, dst, storageError(err))
	}
	return syncFile(dst)
}

// Restore replaces the database at dst (created when missing) with the copy at src through
// SQLite's backup API, on a connection that first takes an exclusive lock: it fails with ErrInUse
// while another connection has dst open, and holds every other one out until it is done. The
// pages are written in one transaction, so a crash midway leaves dst as it was.
func Restore(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: restore from %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("sqlite: restore into %s: %w", dst, err)
	}
	db, err := sql.Open("sqlite", fileURI(dst, url.Values{"mode": {"rwc"}, "_busy_timeout": {"0"},
		"_pragma": {"locking_mode(EXCLUSIVE)"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: restore into %s: %w", dst, inUse(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		return fmt.Errorf("sqlite: restore into %s: %w", dst, inUse(err))
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil { // the lock stays: locking_mode EXCLUSIVE
		return fmt.Errorf("sqlite: restore into %s: %w", dst, err)
	}
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*msqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("sqlite: the driver connection %T cannot restore", dc)
		}
		b, err := r.NewRestore(fileURI(src, url.Values{"mode": {"ro"}}))
		if err != nil {
			return err
		}
		_, err = b.Step(-1)
		return errors.Join(err, b.Finish())
	})
	if err != nil {
		return fmt.Errorf("sqlite: restore %s into %s: %w", src, dst, storageError(err))
	}
	return nil
}

// inUse translates SQLite's "database is locked" into ErrInUse.
func inUse(err error) error {
	if sqliteCode(err) == sqlite3.SQLITE_BUSY {
		return fmt.Errorf("%w: %w", ErrInUse, err)
	}
	return err
}

// fileURI is the file: URI of path with the query q.
func fileURI(path string, q url.Values) string {
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// syncFile flushes the file at path and its directory entry to disk.
func syncFile(path string) error {
	for _, name := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = errors.Join(f.Sync(), f.Close())
		if err != nil {
			return fmt.Errorf("sqlite: sync %s: %w", name, err)
		}
	}
	return nil
}
