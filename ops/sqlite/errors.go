package sqlite

import (
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteCode returns SQLite's primary result code of err, 0 when err is not SQLite's.
func sqliteCode(err error) int {
	var coder interface{ Code() int }
	if errors.As(err, &coder) {
		return coder.Code() & 0xff
	}
	return 0
}

// storageError translates SQLite's "database or disk is full" (a full disk, or Config.MaxSize)
// into eventstore.ErrStorageFull at the adapter's boundary, keeping SQLite's error wrapped too.
func storageError(err error) error {
	if sqliteCode(err) == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w: %w", eventstore.ErrStorageFull, err)
	}
	return err
}

func isConstraint(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT
}

// ErrServed means another store holds the file's server lock (Config.ServerLock): another
// civicflow server has the database open.
var ErrServed = errors.New("sqlite: another server has the database open")
