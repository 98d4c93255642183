package sqlite

import (
	"database/sql"
	"fmt"
)

// OpenScratch opens an empty in-memory database of one connection, for work that must not touch
// the store's file: verification replays read models into it (projections/runner's Check). It
// is gone when closed.
func OpenScratch() (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file::memory:?_pragma=journal_mode(off)&_pragma=synchronous(off)")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open scratch database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}
