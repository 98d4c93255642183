package sqlite

import (
	"database/sql"
	"errors"
	"strings"
	"sync"
)

// projectionDBs are the connections of read models kept in the store's file: one writer that
// applies events and saves checkpoints in one transaction, and a read-only pool for queries.
type projectionDBs struct {
	once  sync.Once
	write *sql.DB
	read  *sql.DB
}

// ProjectionDB returns a write connection pool of one on the store's file, for read models that
// keep their tables and checkpoints there (projections/runner). Its transactions begin
// IMMEDIATE, so a transaction holds SQLite's write lock from its start. It is opened on the first
// call and closed when the store closes; nil for a read-only store.
func (s *Store) ProjectionDB() *sql.DB {
	s.openProjectionDBs()
	return s.proj.write
}

// ProjectionReadDB returns a query-only pool on the store's file for reading read models. It is
// opened on the first call and closed when the store closes.
func (s *Store) ProjectionReadDB() *sql.DB {
	s.openProjectionDBs()
	return s.proj.read
}

func (s *Store) openProjectionDBs() {
	s.proj.once.Do(func() {
		if !s.cfg.ReadOnly {
			// Read models are derived from the log and keep their checkpoint in the same
			// transaction, so after a power loss both roll back together and the runner applies
			// the events again: their commits need no fsync of their own (synchronous=NORMAL is
			// consistent in WAL mode). Measured: with fsyncing projection commits competing for
			// the disk, a command took 5.6 ms at the median instead of 1.5 ms.
			dsn := strings.Replace(s.dsn(true), "_synchronous="+s.cfg.Synchronous, "_synchronous=normal", 1)
			db := s.openWriteDB(dsn, HolderReadModels)
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
			s.proj.write = db
		}
		if db, err := sql.Open("sqlite", s.dsn(false)); err == nil {
			db.SetMaxOpenConns(s.cfg.ReadConns)
			db.SetMaxIdleConns(s.cfg.ReadConns)
			s.proj.read = db
		}
	})
}

func (p *projectionDBs) close() error {
	var errs []error
	if p.write != nil {
		errs = append(errs, p.write.Close())
	}
	if p.read != nil {
		errs = append(errs, p.read.Close())
	}
	return errors.Join(errs...)
}
