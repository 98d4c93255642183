package runner

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Rebuild builds the named read model afresh from the log beside the running build, catches it
// up and switches readers to it atomically: the last events are applied, projection_versions is
// updated and the old build's tables are dropped in one transaction, which holds the database's
// write lock so that no event is appended in between. A runner following the old build notices
// the switch at its next batch and follows the new one.
func (r *Runner) Rebuild(ctx context.Context, name string) error {
	p, ok := r.byKey[name]
	if !ok {
		return fmt.Errorf("runner: no read model named %q", name)
	}
	if err := ensureMeta(ctx, r.cfg.DB); err != nil {
		return err
	}
	var old, next int
	err := inTx(ctx, r.cfg.DB, func(tx *sql.Tx) (err error) {
		if old, _, err = activeBuild(ctx, tx, name); err != nil {
			return err
		}
		next = old + 1
		return createBuild(ctx, tx, p, next)
	})
	if err != nil {
		return err
	}
	pos := eventstore.Start
	for {
		batch, err := r.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: r.cfg.BatchSize, Filter: p.Filter()})
		if err != nil {
			return err
		}
		if len(batch) < r.cfg.BatchSize {
			break // the rest goes into the switch
		}
		if err := r.applyWithRetry(ctx, p, next, pos, batch, false); err != nil {
			return err
		}
		pos = batch[len(batch)-1].Position
	}
	return r.switchTo(ctx, p, old, next, pos)
}

// switchTo applies what the new build still lacks and activates it, in one transaction.
func (r *Runner) switchTo(ctx context.Context, p Projection, old, next int, pos eventstore.Position) error {
	err := inTx(ctx, r.cfg.DB, func(tx *sql.Tx) error {
		if b, _, err := activeBuild(ctx, tx, p.Name()); err != nil {
			return err
		} else if b != old {
			return fmt.Errorf("runner: %s: another rebuild activated build %d meanwhile", p.Name(), b)
		}
		for {
			batch, err := r.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: pos, Limit: r.cfg.BatchSize, Filter: p.Filter()})
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			if err := applyEvents(ctx, tx, p, next, pos, batch); err != nil {
				return err
			}
			pos = batch[len(batch)-1].Position
		}
		if err := saveCheckpoint(ctx, tx, p.Name(), next, pos); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO projection_versions (name, active_version, code_version, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET active_version = excluded.active_version, code_version = excluded.code_version, updated_at = excluded.updated_at`,
			p.Name(), next, p.Version(), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("runner: activate %s v%d: %w", p.Name(), next, err)
		}
		if old == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = ? AND version = ?`, p.Name(), old); err != nil {
			return err
		}
		return dropBuild(ctx, tx, TablesOf(p.Name(), old))
	})
	if err != nil {
		return err
	}
	r.moveTo(p.Name(), pos)
	r.cfg.Logger.Info("projection switched", "projection", p.Name(), "build", next, "position", pos.String())
	return nil
}
