package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ErrNoProcess means the process to verify has no events.
var ErrNoProcess = errors.New("verify: the process has no events")

// Process checks one process: its stream's hash chain, that each of its events is in the global
// log at its position, that the latest seal includes them, and that every read model's rows of
// the process agree with a replay. id is the process ID (its stream is "process-<id>").
func (v *Verifier) Process(ctx context.Context, id string) (Report, error) {
	stream := "process-" + id
	rep := Report{Scope: "process", Process: id}
	events, err := v.cfg.Store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
	if err != nil {
		c := Check{Name: "stream", Title: streamTitle}
		rep.add(c.broken(err, ""))
		return rep.done(), nil
	}
	if len(events) == 0 {
		return rep, fmt.Errorf("%w: %s", ErrNoProcess, id)
	}
	rep.add(checkStream(events))
	rep.add(v.checkInLog(ctx, stream, events))
	rep.add(v.checkInclusion(ctx, events))
	for _, p := range v.cfg.ReadModels {
		rep.add(v.checkReadModel(ctx, p, id))
	}
	return rep.done(), nil
}

const streamTitle = "Hash-Kette des Verfahrens / the process's hash chain"

func checkStream(events []eventstore.Event) Check {
	c := Check{Name: "stream", Title: streamTitle}
	chain := eventstore.NewChainVerifier()
	for i, e := range events {
		if err := chain.Check(e); err != nil {
			return c.broken(err, fmt.Sprintf("%d Ereignisse davor in Ordnung / %d events before it intact", i, i))
		}
	}
	return c.ok(fmt.Sprintf("%d Ereignisse lückenlos verkettet / %d events, chain intact", len(events), len(events)))
}

// checkInLog checks that the global log holds the stream's events, in the stream's order, at the
// positions the stream reports, with the same IDs and hashes.
func (v *Verifier) checkInLog(ctx context.Context, stream string, events []eventstore.Event) Check {
	c := Check{Name: "in_log", Title: "Im globalen Protokoll an ihrer Position / in the global log at their positions"}
	i := 0
	errStop := errors.New("stop")
	var problem error
	err := eventstore.Each(ctx, v.cfg.Store, eventstore.Filter{StreamPrefixes: []string{stream}}, func(g eventstore.Event) error {
		if g.Stream != stream {
			return nil // a longer stream name with the same prefix
		}
		if i >= len(events) {
			problem = &eventstore.IntegrityError{Stream: stream, Version: g.Version, Position: g.Position,
				Problem: "the global log has an event of the stream that the stream does not list"}
			return errStop
		}
		e := events[i]
		if g.ID != e.ID || g.Position != e.Position || g.Version != e.Version || g.Hash != e.Hash {
			problem = &eventstore.IntegrityError{Stream: stream, Version: e.Version, Position: e.Position,
				Problem: fmt.Sprintf("the global log has version %d (position %s) where the stream has this event: events were moved or swapped", g.Version, g.Position)}
			return errStop
		}
		i++
		return nil
	})
	switch {
	case problem != nil:
		return c.broken(problem, "")
	case err != nil:
		return c.broken(err, "")
	case i < len(events):
		e := events[i]
		return c.broken(&eventstore.IntegrityError{Stream: stream, Version: e.Version, Position: e.Position,
			Problem: "the event is missing from the global log"}, "")
	}
	return c.ok(fmt.Sprintf("%d Ereignisse an ihren Positionen / %d events at their positions", len(events), len(events)))
}
