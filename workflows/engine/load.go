package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// take returns the process with its latest events applied, taking it out of the cache so that
// no other command or read shares it; a command's path returns it with put, a reader's with
// release. current reports that the state was cached as current (see cached), and is then used
// as it is when this engine is the sole writer: it holds the stream's last event, because every
// append to the stream is this engine's, and this engine's next one takes the state first.
func (e *Engine) take(ctx context.Context, id uuid.UUID) (p *process.Process, current bool, err error) {
	e.mu.Lock()
	c, ok := e.cache[id]
	delete(e.cache, id)
	e.mu.Unlock()
	p, current = c.p, c.current && e.cfg.SoleWriter
	if !ok {
		p = e.fromSnapshot(ctx, id)
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if current {
		return p, true, nil
	}
	p, err = e.readTail(ctx, p)
	return p, false, err
}

// readTail applies the events of the process's stream after p.Version.
func (e *Engine) readTail(ctx context.Context, p *process.Process) (*process.Process, error) {
	id := p.ID
	// The tail after a cached or snapshot version is short (snapshots every SnapshotEvery events),
	// and a cancellable query costs the SQLite driver a watcher goroutine per statement (measured
	// ~0.4 ms per command on 2 cores), so the tail is read without cancellation.
	events, err := e.cfg.Store.ReadStream(context.WithoutCancel(ctx), StreamOf(id), eventstore.ReadStreamOptions{From: p.Version + 1})
	if err != nil {
		return nil, err
	}
	if len(events) > 0 && p.Version > 0 && events[0].Version != p.Version+1 {
		return nil, fmt.Errorf("engine: %s: snapshot at version %d does not meet the log", StreamOf(id), p.Version)
	}
	for _, ev := range events {
		r, err := toRecorded(ev)
		if err != nil {
			return nil, err
		}
		p.Apply(r)
	}
	if n := len(events); int64(n) >= e.cfg.SnapshotEvery {
		e.saveSnapshot(ctx, p, events[n-1].Hash) // a long replay: spare the next one
	}
	return p, nil
}

// fromSnapshot starts from the process's snapshot when there is one that matches the log: its
// version's event has the recorded chain hash. Any doubt means a full replay. A snapshot of the
// schema before (process.PastSchema, with every command ID) loads too, keeping the latest
// command IDs; it is replaced by one without them at the next snapshot.
func (e *Engine) fromSnapshot(ctx context.Context, id uuid.UUID) *process.Process {
	empty := process.New(id)
	if e.cfg.Snapshots == nil {
		return empty
	}
	s, ok, err := e.cfg.Snapshots.Load(ctx, StreamOf(id))
	if err != nil || !ok || (s.Schema != process.SnapshotSchema && s.Schema != process.PastSchema) {
		return empty
	}
	at, err := e.cfg.Store.ReadStream(ctx, StreamOf(id), eventstore.ReadStreamOptions{From: s.Version, Limit: 1})
	if err != nil || len(at) != 1 || at[0].Hash != s.EventHash {
		return empty
	}
	p, err := process.UnmarshalSnapshot(s.Data)
	if err != nil || p.ID != id || p.Version != s.Version {
		return empty
	}
	e.snapshotTaken(id, s.Version)
	return p
}

// snapshotTaken notes that the process has a snapshot at version v.
func (e *Engine) snapshotTaken(id uuid.UUID, v int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.snapAt[id] = v
}

// settle finishes a command whose pending events were appended: it gives the state the times the
// store recorded (when the events set a time), saves a snapshot and archives the state each time
// the version passes a multiple of SnapshotEvery or ArchiveEvery, and puts the process back in
// the cache. A state whose recorded time cannot be read is dropped (the next command replays it).
func (e *Engine) settle(ctx context.Context, p *process.Process) {
	before := p.Version - int64(len(p.Pending()))
	crossed := func(every int64) bool { return p.Version/every != before/every }
	snap := e.cfg.Snapshots != nil && crossed(e.cfg.SnapshotEvery)
	keep := e.cfg.Archive != nil && crossed(e.cfg.ArchiveEvery)
	if p.TimedPending() || snap || keep {
		at, err := e.cfg.Store.ReadStream(ctx, StreamOf(p.ID), eventstore.ReadStreamOptions{From: p.Version, Limit: 1})
		if err != nil || len(at) != 1 {
			return
		}
		p.Stamp(at[0].RecordedAt)
		if snap {
			e.saveSnapshot(ctx, p, at[0].Hash)
		}
		if keep {
			e.keep(ctx, p, at[0])
		}
	}
	p.ClearPending()
	e.put(p, true)
}

// saveSnapshot saves the state; hash is the chain hash of the event at p.Version. A failed
// snapshot costs a replay later, nothing else.
func (e *Engine) saveSnapshot(ctx context.Context, p *process.Process, hash eventstore.Hash) {
	if e.cfg.Snapshots == nil {
		return
	}
	_ = e.writeSnapshot(ctx, p, hash)
}

// writeSnapshot saves the state as saveSnapshot does, and says why it could not.
func (e *Engine) writeSnapshot(ctx context.Context, p *process.Process, hash eventstore.Hash) error {
	data, err := p.MarshalSnapshot()
	if err != nil {
		return err
	}
	err = e.cfg.Snapshots.Save(ctx, StreamOf(p.ID), eventstore.Snapshot{Version: p.Version, Schema: process.SnapshotSchema, EventHash: hash, Data: data})
	if err == nil {
		e.snapshotTaken(p.ID, p.Version)
	}
	return err
}

// SaveSnapshots saves a snapshot of every cached process whose stream has grown by minEvents or
// more since its latest snapshot (or that has none), so that the first command on it after a
// restart replays fewer than minEvents events instead of up to SnapshotEvery. serve calls it at
// a clean stop. It returns how many snapshots it saved; it stops at the first error, or when ctx
// ends.
func (e *Engine) SaveSnapshots(ctx context.Context, minEvents int64) (int, error) {
	if e.cfg.Snapshots == nil {
		return 0, nil
	}
	e.mu.Lock()
	var due []uuid.UUID
	for id, c := range e.cache {
		if c.p.Version-e.snapAt[id] >= minEvents {
			due = append(due, id)
		}
	}
	e.mu.Unlock()
	saved := 0
	for _, id := range due {
		if err := ctx.Err(); err != nil {
			return saved, err
		}
		ok, err := e.snapshotCached(ctx, id, minEvents)
		if err != nil {
			return saved, fmt.Errorf("engine: snapshot of %s: %w", StreamOf(id), err)
		}
		if ok {
			saved++
		}
	}
	return saved, nil
}

// snapshotCached saves a snapshot of the process when it is still cached and still minEvents or
// more past its latest snapshot, holding it as a command does.
func (e *Engine) snapshotCached(ctx context.Context, id uuid.UUID, minEvents int64) (bool, error) {
	defer e.lock(id)()
	e.mu.Lock()
	_, cachedNow := e.cache[id]
	e.mu.Unlock()
	if !cachedNow { // evicted meanwhile: loading it again would cost what the snapshot saves
		return false, nil
	}
	p, current, err := e.take(ctx, id)
	if err != nil {
		return false, err
	}
	defer e.put(p, current)
	e.mu.Lock()
	last, known := e.snapAt[id]
	e.mu.Unlock()
	if p.Version == 0 || known && p.Version-last < minEvents {
		return false, nil
	}
	at, err := e.cfg.Store.ReadStream(ctx, StreamOf(id), eventstore.ReadStreamOptions{From: p.Version, Limit: 1})
	if err != nil {
		return false, err
	}
	if len(at) != 1 {
		return false, fmt.Errorf("event %d is not in the store", p.Version)
	}
	return true, e.writeSnapshot(ctx, p, at[0].Hash)
}

// put caches the process from a command's path (which holds the process's lock): current after
// the command's own append, or as it was taken when nothing was appended.
func (e *Engine) put(p *process.Process, current bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.store(p, current)
}

// release caches a process a reader took, unless a command cached the process meanwhile; as not
// current, because a command may have appended while the reader held it (taking the state from
// the store, and not caching it when its append's outcome is unknown).
func (e *Engine) release(p *process.Process) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.cache[p.ID]; !ok {
		e.store(p, false)
	}
}

func (e *Engine) store(p *process.Process, current bool) {
	if len(e.cache) >= e.cfg.CacheSize {
		clear(e.cache)
		clear(e.snapAt)
	}
	e.cache[p.ID] = cached{p: p, current: current}
}

// Load returns the current state of a process, as the actor may see it (ErrNotFound otherwise).
func (e *Engine) Load(ctx context.Context, actor process.Actor, id uuid.UUID) (*process.Process, error) {
	p, _, err := e.take(ctx, id)
	if err != nil {
		return nil, err
	}
	defer e.release(p)
	if p.Version == 0 || !actor.Sees(p.Tenant) || !actor.Allowed(process.ActRead) {
		return nil, process.ErrNotFound
	}
	return p.View(), nil // a reader's copy: the command IDs stay with the cached state
}

// Handled reports whether the process handled the command ID, and its version after it: what a
// client that resumes an interrupted series of commands (the demo loader) asks. Another tenant's
// or a missing process is process.ErrNotFound.
func (e *Engine) Handled(ctx context.Context, actor process.Actor, id uuid.UUID, commandID string) (int64, bool, error) {
	p, _, err := e.take(ctx, id)
	if err != nil {
		return 0, false, err
	}
	defer e.release(p)
	if p.Version == 0 || !actor.Sees(p.Tenant) || !actor.Allowed(process.ActRead) {
		return 0, false, process.ErrNotFound
	}
	return e.handled(ctx, StreamOf(p.ID), p, commandID)
}

func toRecorded(ev eventstore.Event) (process.Recorded, error) {
	payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
	if err != nil {
		return process.Recorded{}, fmt.Errorf("engine: %s v%d: %w", ev.Stream, ev.Version, err)
	}
	return process.Recorded{Payload: payload, Version: ev.Version, CommandID: ev.Metadata.CommandID, At: ev.RecordedAt}, nil
}

// eventID derives the ID of the i-th event of a command in a template's or a person's stream: a
// UUIDv7 whose time is the command's and whose other bits come from the command ID, so that a
// retried append carries the same IDs. Processes and programmes take eventstore.CommandEventID
// instead, by which the store finds a command handled long ago.
func eventID(m process.Meta, i int) uuid.UUID {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", m.CommandID, i)))
	var id uuid.UUID
	copy(id[:], sum[:16])
	ms := uint64(m.Now.UnixMilli())
	for b := range 6 {
		id[b] = byte(ms >> (40 - 8*b))
	}
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 4122 variant
	return id
}

// append writes the process's pending events after version before.
func (e *Engine) append(ctx context.Context, m process.Meta, p *process.Process, before int64) (eventstore.AppendResult, error) {
	pending := p.Pending()
	if len(pending) == 0 {
		return eventstore.AppendResult{}, nil
	}
	data := make([]eventstore.EventData, len(pending))
	for i, pl := range pending {
		b, schema, err := process.Encode(pl)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		data[i] = eventstore.EventData{ID: eventstore.CommandEventID(StreamOf(p.ID), m.CommandID, i), Type: pl.Type(), SchemaVersion: schema, Data: b,
			Metadata: eventstore.Metadata{Tenant: p.Tenant, Actor: m.Actor.User, CommandID: m.CommandID,
				CorrelationID: m.CommandID, CausationID: causation(m)}}
	}
	return e.cfg.Store.Append(ctx, StreamOf(p.ID), eventstore.Exact(before), data...)
}

// Command is one command on an existing process.
type Command interface {
	// Action names the command.
	Action() process.Action
	// run lets the process decide; it may seal personal data first.
	run(ctx context.Context, e *Engine, m process.Meta, p *process.Process) error
}

// Do runs a command on a process: load, check the expected version (NoExpectation for none),
// decide, append. A command ID seen before returns the first result.
func (e *Engine) Do(ctx context.Context, m process.Meta, id uuid.UUID, expected int64, cmd Command) (Result, error) {
	m = e.meta(m)
	defer e.lock(id)()
	for attempt := 0; ; attempt++ {
		p, current, err := e.take(ctx, id)
		if err != nil {
			return Result{}, err
		}
		res, retry, err := e.try(ctx, m, p, current, expected, cmd)
		if !retry || attempt >= e.cfg.ConflictRetries {
			return res, err
		}
	}
}

func (e *Engine) try(ctx context.Context, m process.Meta, p *process.Process, current bool, expected int64, cmd Command) (Result, bool, error) {
	if p.Version == 0 || !m.Actor.Sees(p.Tenant) {
		e.put(p, current)
		return Result{}, false, process.ErrNotFound
	}
	v, ok, err := e.handled(ctx, StreamOf(p.ID), p, m.CommandID)
	if err != nil {
		e.put(p, current)
		return Result{}, false, err
	}
	if ok {
		e.put(p, current)
		if err := e.sameRequest(ctx, p.ID, v, m); err != nil {
			return Result{}, false, err
		}
		return Result{Process: p.ID, Version: v, Duplicate: true}, false, nil
	}
	if expected != NoExpectation && expected != p.Version {
		e.put(p, current)
		return Result{}, false, &VersionError{Expected: expected, Actual: p.Version}
	}
	before := p.Version
	if err := cmd.run(ctx, e, m, p); err != nil {
		e.put(p, current) // a refused command recorded nothing
		return Result{}, false, err
	}
	appended, err := e.append(ctx, m, p, before)
	if errors.Is(err, eventstore.ErrConcurrency) || errors.Is(err, eventstore.ErrDuplicateEventID) {
		// Someone else wrote first (perhaps this very command, whose event IDs are derived from
		// it); the state is stale, so it is dropped, and the next attempt finds what was written.
		if expected != NoExpectation {
			return Result{}, false, &VersionError{Expected: expected, Actual: -1}
		}
		return Result{}, true, err
	}
	if err != nil {
		return Result{}, false, err
	}
	e.settle(ctx, p)
	return Result{Process: p.ID, Version: p.Version, Position: appended.Position}, false, nil
}
