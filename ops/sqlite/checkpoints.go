package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// MaxCheckpointNameLength is the longest checkpoint name, in bytes.
const MaxCheckpointNameLength = eventstore.MaxCheckpointNameLength

// ErrCheckpointBackwards means a Save would have moved a checkpoint to an earlier position
// (eventstore.ErrCheckpointBackwards, shared by the adapters). The error is a *CheckpointError.
var ErrCheckpointBackwards = eventstore.ErrCheckpointBackwards

// CheckpointError reports a refused Save: the checkpoint is already further than the position given.
type CheckpointError = eventstore.CheckpointError

// Checkpoints keeps the positions up to which consumers of the global log (projections, Watermill
// consumer groups) have processed it, in the table checkpoints of the store's file. It is safe for
// concurrent use.
//
// A Save is a short write transaction on a connection of its own, not an append: it does not wait
// for the event writer's batches, and it is durable (with the store's synchronous mode) when it
// returns. The connection is opened by the first Save and closed when the store closes.
type Checkpoints struct {
	s *Store

	mu  sync.Mutex
	db  *sql.DB // the checkpoint writer's connection; nil until the first Save
	err error   // why db could not be opened
}

// Checkpoints returns the store's checkpoint table. Each value opens one connection on its first
// Save: keep one per process rather than calling this for every save.
func (s *Store) Checkpoints() *Checkpoints { return &Checkpoints{s: s} }

// Load returns the position saved under name, or eventstore.Start when none is.
func (c *Checkpoints) Load(ctx context.Context, name string) (eventstore.Position, error) {
	if err := validateCheckpointName(name); err != nil {
		return eventstore.Start, err
	}
	if c.s.isClosed() {
		return eventstore.Start, eventstore.ErrClosed
	}
	var text string
	err := c.s.rdb.QueryRowContext(ctx, `SELECT position FROM checkpoints WHERE name = ?`, name).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return eventstore.Start, nil
	case err != nil && c.s.isClosed():
		return eventstore.Start, eventstore.ErrClosed
	case err != nil:
		return eventstore.Start, fmt.Errorf("sqlite: load checkpoint %q: %w", name, err)
	}
	pos, err := eventstore.ParsePosition(text)
	if err != nil {
		return eventstore.Start, fmt.Errorf("sqlite: load checkpoint %q: %w", name, err)
	}
	return pos, nil
}

// Save stores pos under name and returns when it is durable. Saving the position already saved
// succeeds; an earlier one fails with a *CheckpointError (ErrCheckpointBackwards) and changes
// nothing. A read-only store refuses every Save.
func (c *Checkpoints) Save(ctx context.Context, name string, pos eventstore.Position) error {
	if err := validateCheckpointName(name); err != nil {
		return err
	}
	if c.s.cfg.ReadOnly {
		return fmt.Errorf("sqlite: save checkpoint %q: %s is open read-only", name, c.s.cfg.Path)
	}
	if c.s.isClosed() {
		return eventstore.ErrClosed
	}
	db, err := c.conn()
	if err != nil {
		return err
	}
	if err := c.save(ctx, db, name, pos); err != nil {
		if c.s.isClosed() {
			return eventstore.ErrClosed
		}
		return err
	}
	return nil
}

func (c *Checkpoints) save(ctx context.Context, db *sql.DB, name string, pos eventstore.Position) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (the DSN's _txlock): no upgrade deadlock
	if err != nil {
		return fmt.Errorf("sqlite: save checkpoint %q: %w", name, err)
	}
	defer tx.Rollback()
	var text string
	err = tx.QueryRowContext(ctx, `SELECT position FROM checkpoints WHERE name = ?`, name).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("sqlite: save checkpoint %q: %w", name, err)
	default:
		saved, err := eventstore.ParsePosition(text)
		if err != nil {
			return fmt.Errorf("sqlite: save checkpoint %q: saved position: %w", name, err)
		}
		if saved.Compare(pos) > 0 {
			return &CheckpointError{Name: name, Saved: saved, Given: pos}
		}
	}
	now := c.s.cfg.Clock().UTC().Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
		name, pos.String(), now); err != nil {
		return fmt.Errorf("sqlite: save checkpoint %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save checkpoint %q: commit: %w", name, err)
	}
	return nil
}

// conn opens the checkpoint writer's connection once: the write DSN (WAL, the store's synchronous
// mode and busy timeout, BEGIN IMMEDIATE), one connection, closed when the store closes.
func (c *Checkpoints) conn() (*sql.DB, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db != nil || c.err != nil {
		return c.db, c.err
	}
	db := c.s.openWriteDB(c.s.dsn(true), HolderCheckpoints)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	c.db = db
	go func() {
		<-c.s.quit
		db.Close() // waits for a Save in progress
	}()
	return db, nil
}

func validateCheckpointName(name string) error { return eventstore.ValidateCheckpointName(name) }
