package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

type delivery struct {
	e   eventstore.Event
	err error
}

// follow applies the log after pos to a build, batch by batch, until ctx ends, the store closes
// or another build becomes active (errSwitched).
func (r *Runner) follow(ctx context.Context, p Projection, build int, pos eventstore.Position) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := r.cfg.Store.Subscribe(sctx, eventstore.SubscribeOptions{After: pos, Filter: p.Filter()})
	if err != nil {
		return err
	}
	defer sub.Close()
	ch := make(chan delivery, r.cfg.BatchSize)
	go pump(sctx, sub, ch)
	batch := make([]eventstore.Event, 0, r.cfg.BatchSize)
	for {
		batch, err = collect(ctx, ch, batch[:0], r.cfg.BatchSize, r.cfg.Linger)
		if len(batch) > 0 {
			if aerr := r.applyWithRetry(ctx, p, build, pos, batch, true); aerr != nil {
				return aerr
			}
			pos = batch[len(batch)-1].Position
			r.moveTo(p.Name(), pos)
		}
		if err != nil {
			return err
		}
	}
}

// pump moves the subscription's events into ch until it fails or ctx ends.
func pump(ctx context.Context, sub eventstore.Subscription, ch chan<- delivery) {
	for {
		e, err := sub.Next(ctx)
		select {
		case ch <- delivery{e, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// collect waits for one event, then for what else arrives within linger (without linger: what
// is already there), up to size. It returns the subscription's error after the events that came
// before it.
func collect(ctx context.Context, ch <-chan delivery, batch []eventstore.Event, size int, linger time.Duration) ([]eventstore.Event, error) {
	select {
	case d := <-ch:
		if d.err != nil {
			return batch, d.err
		}
		batch = append(batch, d.e)
	case <-ctx.Done():
		return batch, ctx.Err()
	}
	var deadline <-chan time.Time // nil without linger: never ready
	if linger > 0 {
		t := time.NewTimer(linger)
		defer t.Stop()
		deadline = t.C
	}
	for len(batch) < size {
		var d delivery
		if linger > 0 {
			select {
			case d = <-ch:
			case <-deadline:
				return batch, nil
			case <-ctx.Done():
				return batch, nil
			}
		} else {
			select {
			case d = <-ch:
			default:
				return batch, nil
			}
		}
		if d.err != nil {
			return batch, d.err
		}
		batch = append(batch, d.e)
	}
	return batch, nil
}

// applyWithRetry applies a batch until it commits: a failed attempt is rolled back whole and
// retried with backoff, never skipped. It gives up only when ctx ends or the build is switched.
func (r *Runner) applyWithRetry(ctx context.Context, p Projection, build int, after eventstore.Position, batch []eventstore.Event, active bool) error {
	wait := r.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := r.applyBatch(ctx, p, build, after, batch, active)
		if err == nil || errors.Is(err, errSwitched) || ctx.Err() != nil {
			return err
		}
		r.cfg.Logger.Warn("projection batch failed; retrying", "projection", p.Name(), "build", build,
			"from", batch[0].Position.String(), "events", len(batch), "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, r.cfg.MaxBackoff)
	}
}

// applyBatch applies batch and saves the checkpoint in one transaction. With active set, it first
// checks that build is still the active one. The batch must follow after without reordering.
func (r *Runner) applyBatch(ctx context.Context, p Projection, build int, after eventstore.Position, batch []eventstore.Event, active bool) error {
	return inTx(ctx, r.cfg.DB, func(tx *sql.Tx) error {
		if active {
			b, _, err := activeBuild(ctx, tx, p.Name())
			if err != nil {
				return err
			}
			if b != build {
				return errSwitched
			}
		}
		saved, err := loadCheckpoint(ctx, tx, p.Name(), build)
		if err != nil {
			return err
		}
		if saved != after {
			return fmt.Errorf("%w: checkpoint of %s v%d is %s, the batch follows %s", errSwitched, p.Name(), build, saved, after)
		}
		return applyEvents(ctx, tx, p, build, after, batch)
	})
}

func applyEvents(ctx context.Context, tx *sql.Tx, p Projection, build int, after eventstore.Position, batch []eventstore.Event) error {
	t := TablesOf(p.Name(), build)
	last := after
	for _, e := range batch {
		if e.Position.Compare(last) <= 0 {
			return fmt.Errorf("runner: %s: event at %s does not follow %s", p.Name(), e.Position, last)
		}
		if err := p.Apply(ctx, tx, t, e); err != nil {
			return fmt.Errorf("runner: %s: apply %s at %s: %w", p.Name(), e.Type, e.Position, err)
		}
		last = e.Position
	}
	return saveCheckpoint(ctx, tx, p.Name(), build, last)
}
