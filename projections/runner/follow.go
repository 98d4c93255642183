package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// follow applies the log after pos to a build, batch by batch, until ctx ends, the source ends
// or another build becomes active (errSwitched). The source starts after pos, the build's
// checkpoint: the checkpoint in the read model's own database is the only one. An event at or
// before the last one taken (delivered again after a rewind of the source) is skipped, so nothing
// is applied twice; deliveries are acknowledged only once the transaction holding them committed.
func (r *Runner) follow(ctx context.Context, p Projection, build int, pos eventstore.Position) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := r.cfg.Source.Follow(sctx, pos, p.Filter())
	if err != nil {
		return err
	}
	defer stream.Close()
	ch := make(chan delivery, r.cfg.BatchSize)
	go pump(sctx, stream, ch)
	b := batch{last: pos, events: make([]eventstore.Event, 0, r.cfg.BatchSize)}
	for {
		err = b.collect(ctx, ch, r.cfg.BatchSize, r.cfg.Linger)
		if len(b.events) > 0 {
			if aerr := r.applyWithRetry(ctx, p, build, pos, b.events, true); aerr != nil {
				return aerr
			}
			pos = b.last
			r.moveTo(p.Name(), pos)
		}
		b.acknowledge()
		if err != nil {
			return err
		}
	}
}

type delivery struct {
	d   Delivery
	err error
}

// pump moves the stream's deliveries into ch until it fails or ctx ends.
func pump(ctx context.Context, stream Stream, ch chan<- delivery) {
	for {
		d, err := stream.Next(ctx)
		select {
		case ch <- delivery{d, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// batch is the events taken for the next transaction, and the acknowledgements that wait for it.
type batch struct {
	events []eventstore.Event
	acks   []func()
	last   eventstore.Position // the last event taken (or the checkpoint)
}

// take adds d unless it is at or before the last event taken (delivered again).
func (b *batch) take(d Delivery) {
	if d.Ack != nil {
		b.acks = append(b.acks, d.Ack)
	}
	if d.Event.Position.Compare(b.last) <= 0 {
		return
	}
	b.events = append(b.events, d.Event)
	b.last = d.Event.Position
}

// acknowledge acknowledges what was taken and empties the batch.
func (b *batch) acknowledge() {
	for _, ack := range b.acks {
		ack()
	}
	b.events, b.acks = b.events[:0], b.acks[:0]
}

// collect waits for one delivery, then for what else arrives within linger (without linger: what
// is already there), up to size events. It returns the stream's error after the deliveries that
// came before it.
func (b *batch) collect(ctx context.Context, ch <-chan delivery, size int, linger time.Duration) error {
	select {
	case d := <-ch:
		if d.err != nil {
			return d.err
		}
		b.take(d.d)
	case <-ctx.Done():
		return ctx.Err()
	}
	var deadline <-chan time.Time // nil without linger: never ready
	if linger > 0 {
		t := time.NewTimer(linger)
		defer t.Stop()
		deadline = t.C
	}
	for len(b.events) < size {
		var d delivery
		if linger > 0 {
			select {
			case d = <-ch:
			case <-deadline:
				return nil
			case <-ctx.Done():
				return nil
			}
		} else {
			select {
			case d = <-ch:
			default:
				return nil
			}
		}
		if d.err != nil {
			return d.err
		}
		b.take(d.d)
	}
	return nil
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

// applyEvents applies a live batch as a rebuild applies a page (ApplyBatch when the read model
// has it: statements prepared once, rows written together), so that the transaction holds the
// write lock, which the event writer waits for, as briefly as possible; then saves the checkpoint.
func applyEvents(ctx context.Context, tx *sql.Tx, p Projection, build int, after eventstore.Position, batch []eventstore.Event) error {
	if len(batch) == 0 {
		return nil
	}
	if err := applyInOrder(ctx, tx, p, TablesOf(p.Name(), build), after, batch); err != nil {
		return err
	}
	return saveCheckpoint(ctx, tx, p.Name(), build, batch[len(batch)-1].Position)
}
