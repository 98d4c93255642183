package sqlite

import (
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDamaged means the database file cannot be read: it is damaged or truncated. The error is a
// *DamageError naming what could not be read.
var ErrDamaged = errors.New("sqlite: the database file is damaged or truncated")

// DamageError names what SQLite could not read from a damaged or truncated file.
type DamageError struct {
	// Path is the database file.
	Path string
	// What could not be read, e.g. "the events after position 1041".
	What string
	// Err is SQLite's error.
	Err error
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("sqlite: %s: %s cannot be read: the file is damaged or truncated (%v)", e.Path, e.What, e.Err)
}

// Unwrap returns ErrDamaged and SQLite's error.
func (e *DamageError) Unwrap() []error { return []error{ErrDamaged, e.Err} }

// damaged returns a *DamageError when err says the file is corrupt, not a database or shorter
// than SQLite expects, else err.
func (s *Store) damaged(what string, err error) error {
	var coder interface{ Code() int }
	if err == nil || !errors.As(err, &coder) {
		return err
	}
	switch c := coder.Code(); {
	case c&0xff == sqlite3.SQLITE_CORRUPT, c&0xff == sqlite3.SQLITE_NOTADB, c == sqlite3.SQLITE_IOERR_SHORT_READ:
		return &DamageError{Path: s.cfg.Path, What: what, Err: err}
	}
	return err
}
