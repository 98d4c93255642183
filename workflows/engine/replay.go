package engine

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// replayTo builds the state at target from the nearest archived snapshot (with fromArchive) or
// the first event, and returns it with the recorded time of its last event. A snapshot whose
// event no longer carries its chain hash and recorded time is ignored: the state is then replayed
// from the first event.
func (e *Engine) replayTo(ctx context.Context, id uuid.UUID, target eventstore.Target, fromArchive bool) (*process.Process, time.Time, error) {
	p, snap := process.New(id), eventstore.Snapshot{}
	if fromArchive {
		p, snap = e.archived(ctx, id, target)
	}
	from, check := max(snap.Version, 1), snap.Version > 0 // the snapshot's own event is read to check it
	var asOf time.Time
	for {
		// A version says how many events to read; an instant does not, so it is read in quarters
		// of the spacing (on average less is read than needed for a whole spacing).
		limit := int(e.cfg.ArchiveEvery/4) + 2
		if target.Version > 0 {
			limit = int(min(target.Version-from+1, e.cfg.ArchiveEvery+1))
		}
		events, err := e.cfg.Store.ReadStream(ctx, StreamOf(id), eventstore.ReadStreamOptions{From: from, Limit: limit})
		if err != nil {
			return nil, time.Time{}, err
		}
		end := len(events) < limit
		if check {
			if len(events) == 0 || events[0].Version != snap.Version || events[0].Hash != snap.EventHash || !events[0].RecordedAt.Equal(snap.RecordedAt) {
				return e.replayTo(ctx, id, target, false)
			}
			asOf, events, check = events[0].RecordedAt, events[1:], false
		}
		done, err := e.applyUntil(ctx, p, events, target, &asOf)
		if err != nil || done || end {
			return p, asOf, err
		}
		from = p.Version + 1
	}
}

// archived returns the state of the nearest usable archived snapshot at or before target, or the
// empty state (with a zero snapshot) when there is none.
func (e *Engine) archived(ctx context.Context, id uuid.UUID, target eventstore.Target) (*process.Process, eventstore.Snapshot) {
	empty := process.New(id)
	if e.cfg.Archive == nil {
		return empty, eventstore.Snapshot{}
	}
	s, ok, err := e.cfg.Archive.Nearest(ctx, StreamOf(id), process.PastSchema, target)
	if err != nil || !ok {
		return empty, eventstore.Snapshot{}
	}
	p, err := process.UnmarshalSnapshot(s.Data)
	if err != nil || p.ID != id || p.Version != s.Version {
		return empty, eventstore.Snapshot{}
	}
	return p, s
}

// applyUntil applies events in order until one lies beyond target, archiving the state at each
// multiple of ArchiveEvery on the way (so that a history recorded before archiving is replayed
// in full only once). It reports whether the target was reached.
func (e *Engine) applyUntil(ctx context.Context, p *process.Process, events []eventstore.Event, target eventstore.Target, asOf *time.Time) (bool, error) {
	for _, ev := range events {
		if (target.Version > 0 && ev.Version > target.Version) || (!target.Time.IsZero() && ev.RecordedAt.After(target.Time)) {
			return true, nil
		}
		r, err := toRecorded(ev)
		if err != nil {
			return false, err
		}
		p.Apply(r)
		*asOf = ev.RecordedAt
		if ev.Version%e.cfg.ArchiveEvery == 0 {
			e.keep(ctx, p, ev)
		}
	}
	return target.Version > 0 && p.Version >= target.Version, nil
}

// keep archives the state p, which includes the event ev and none after it. A failed keep costs
// a longer replay later, nothing else.
func (e *Engine) keep(ctx context.Context, p *process.Process, ev eventstore.Event) {
	if e.cfg.Archive == nil {
		return
	}
	data, err := p.MarshalPast()
	if err != nil {
		return
	}
	_ = e.cfg.Archive.Keep(ctx, ev.Stream, eventstore.Snapshot{Version: p.Version, Schema: process.PastSchema,
		EventHash: ev.Hash, RecordedAt: ev.RecordedAt, Data: data})
}
