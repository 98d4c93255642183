package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ErrCheckpointBackwards means a Save would have moved a checkpoint to an earlier position
// (eventstore.ErrCheckpointBackwards, shared by the adapters). The error is a *CheckpointError.
var ErrCheckpointBackwards = eventstore.ErrCheckpointBackwards

// CheckpointError reports a refused Save: the checkpoint is already further than the position given.
type CheckpointError = eventstore.CheckpointError

// Checkpoints keeps the positions up to which consumers of the global log (Watermill consumer
// groups, notifiers) have processed it, in the checkpoints table. A Save is one statement (an
// upsert that moves the position only forwards), durable when it returns; instances sharing the
// database share the checkpoints. It is safe for concurrent use.
type Checkpoints struct{ s *Store }

// Checkpoints returns the store's checkpoint table.
func (s *Store) Checkpoints() *Checkpoints { return &Checkpoints{s: s} }

// Load returns the position saved under name, or eventstore.Start when none is.
func (c *Checkpoints) Load(ctx context.Context, name string) (eventstore.Position, error) {
	if err := eventstore.ValidateCheckpointName(name); err != nil {
		return eventstore.Start, err
	}
	if c.s.isClosed() {
		return eventstore.Start, eventstore.ErrClosed
	}
	var commit, prepare string
	err := c.s.pool.QueryRow(ctx, `SELECT commit_pos::text, prepare_pos::text FROM checkpoints WHERE name = $1`, name).Scan(&commit, &prepare)
	if isNoRows(err) {
		return eventstore.Start, nil
	}
	if err != nil {
		return eventstore.Start, fmt.Errorf("postgres: load checkpoint %q: %w", name, err)
	}
	return parsePosition(commit, prepare)
}

// Save stores pos under name and returns when it is durable. Saving the position already saved
// succeeds; an earlier one fails with a *CheckpointError (ErrCheckpointBackwards) and changes
// nothing.
func (c *Checkpoints) Save(ctx context.Context, name string, pos eventstore.Position) error {
	if err := eventstore.ValidateCheckpointName(name); err != nil {
		return err
	}
	if c.s.isClosed() {
		return eventstore.ErrClosed
	}
	commit, prepare := strconv.FormatUint(pos.Commit(), 10), strconv.FormatUint(pos.Prepare(), 10)
	tag, err := c.s.pool.Exec(ctx, `INSERT INTO checkpoints (name, commit_pos, prepare_pos, updated_at)
		VALUES ($1, $2::text::numeric, $3::text::numeric, $4)
		ON CONFLICT (name) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos, updated_at = excluded.updated_at
		WHERE (excluded.commit_pos, excluded.prepare_pos) >= (checkpoints.commit_pos, checkpoints.prepare_pos)`,
		name, commit, prepare, c.s.cfg.Clock().UTC())
	if err != nil {
		return fmt.Errorf("postgres: save checkpoint %q: %w", name, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	saved, err := c.Load(ctx, name)
	if err != nil {
		return err
	}
	return &CheckpointError{Name: name, Saved: saved, Given: pos}
}

func parsePosition(commit, prepare string) (eventstore.Position, error) {
	c, err := strconv.ParseUint(commit, 10, 64)
	if err != nil {
		return eventstore.Start, fmt.Errorf("postgres: stored checkpoint %q: %w", commit, err)
	}
	p, err := strconv.ParseUint(prepare, 10, 64)
	if err != nil {
		return eventstore.Start, fmt.Errorf("postgres: stored checkpoint %q: %w", prepare, err)
	}
	return eventstore.NewPosition(c, p), nil
}
