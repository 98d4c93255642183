package engine

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
)

// programmeNamespace derives programme IDs from command IDs, so that a retried open finds its
// programme.
var programmeNamespace = uuid.MustParse("0b6f4c55-3c1e-4f0f-a1b8-7e2c9d4a6f13")

// ProgrammeID is the ID OpenProgramme gives a programme opened by an actor of tenant with the
// command ID commandID.
func ProgrammeID(tenant, commandID string) uuid.UUID {
	return uuid.NewSHA1(programmeNamespace, []byte(tenant+"\x00"+commandID))
}

// ProgrammeStreamOf returns the stream name of a programme.
func ProgrammeStreamOf(id uuid.UUID) string { return "programme-" + id.String() }

// ProgrammeResult is what a successful programme command reports.
type ProgrammeResult struct {
	// Programme is the programme's ID.
	Programme uuid.UUID `json:"programme"`
	// Version is the programme's version after the command.
	Version int64 `json:"version"`
	// Duplicate is true when the command ID was handled before; nothing was written.
	Duplicate bool `json:"duplicate,omitempty"`
}

// OpenProgramme opens a programme in the actor's tenant (the coordinating organisation's).
type OpenProgramme struct {
	Title       string    `json:"title"`
	Coordinator string    `json:"coordinator"`
	Template    string    `json:"template,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	MaxSites    int       `json:"max_sites"`
}

// OpenProgramme opens a programme. With a caller's command ID, the programme ID is derived from
// it and the tenant, so a retry returns the programme opened the first time.
func (e *Engine) OpenProgramme(ctx context.Context, m process.Meta, in OpenProgramme) (ProgrammeResult, error) {
	id := uuid.Must(uuid.NewV7())
	if m.CommandID != "" {
		id = ProgrammeID(m.Actor.Tenant, m.CommandID)
	}
	m = e.meta(m)
	defer e.lock(id)()
	existing, err := e.readProgramme(ctx, id)
	if err != nil {
		return ProgrammeResult{}, err
	}
	if existing.Version > 0 {
		v, ok, err := e.handled(ctx, ProgrammeStreamOf(id), existing, m.CommandID)
		if err != nil {
			return ProgrammeResult{}, err
		}
		if ok {
			if err := e.sameRequestIn(ctx, ProgrammeStreamOf(id), v, m); err != nil {
				return ProgrammeResult{}, err
			}
			return ProgrammeResult{Programme: id, Version: v, Duplicate: true}, nil
		}
		return ProgrammeResult{}, errors.New("engine: programme ID already in use")
	}
	p, err := programme.Open(m, programme.OpenInput{ID: id, Title: in.Title, Coordinator: in.Coordinator, Template: in.Template,
		Start: in.Start, End: in.End, MaxSites: in.MaxSites})
	if err != nil {
		return ProgrammeResult{}, err
	}
	if err := e.appendProgramme(ctx, m, p, 0); err != nil {
		return ProgrammeResult{}, err
	}
	return ProgrammeResult{Programme: id, Version: p.Version}, nil
}

// ProgrammeCommand is one command on an existing programme.
type ProgrammeCommand interface {
	// Name is the command's path segment, e.g. "join".
	Name() string
	runProgramme(ctx context.Context, e *Engine, m process.Meta, p *programme.Programme) error
}

// DoProgramme runs a command on a programme: load, check the expected version (NoExpectation
// for none), decide, append. A command ID seen before returns the first result.
func (e *Engine) DoProgramme(ctx context.Context, m process.Meta, id uuid.UUID, expected int64, cmd ProgrammeCommand) (ProgrammeResult, error) {
	m = e.meta(m)
	defer e.lock(id)()
	p, err := e.readProgramme(ctx, id)
	if err != nil {
		return ProgrammeResult{}, err
	}
	if p.Version == 0 {
		return ProgrammeResult{}, process.ErrNotFound
	}
	v, ok, err := e.handled(ctx, ProgrammeStreamOf(id), p, m.CommandID)
	if err != nil {
		return ProgrammeResult{}, err
	}
	if ok {
		if err := e.sameRequestIn(ctx, ProgrammeStreamOf(id), v, m); err != nil {
			return ProgrammeResult{}, err
		}
		return ProgrammeResult{Programme: id, Version: v, Duplicate: true}, nil
	}
	if expected != NoExpectation && expected != p.Version {
		return ProgrammeResult{}, &VersionError{Expected: expected, Actual: p.Version}
	}
	before := p.Version
	if err := cmd.runProgramme(ctx, e, m, p); err != nil {
		return ProgrammeResult{}, err
	}
	if err := e.appendProgramme(ctx, m, p, before); err != nil {
		if errors.Is(err, eventstore.ErrConcurrency) {
			return ProgrammeResult{}, &VersionError{Expected: before, Actual: -1}
		}
		return ProgrammeResult{}, err
	}
	return ProgrammeResult{Programme: id, Version: p.Version}, nil
}

// LoadProgramme returns a programme as the actor may see it (ErrNotFound otherwise).
func (e *Engine) LoadProgramme(ctx context.Context, actor process.Actor, id uuid.UUID) (*programme.Programme, error) {
	p, err := e.readProgramme(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Sees(actor) {
		return nil, process.ErrNotFound
	}
	return p, nil
}

// Programmes returns every programme the actor sees, in the order they were opened.
func (e *Engine) Programmes(ctx context.Context, actor process.Actor) ([]*programme.Programme, error) {
	opened, err := e.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 1 << 20,
		Filter: eventstore.Filter{StreamPrefixes: []string{"programme-"}, EventTypes: []string{programme.Opened{}.Type()}}})
	if err != nil {
		return nil, err
	}
	var out []*programme.Programme
	for _, ev := range opened {
		id, err := uuid.Parse(ev.Stream[len("programme-"):])
		if err != nil {
			continue
		}
		if p, err := e.LoadProgramme(ctx, actor, id); err == nil {
			out = append(out, p)
		} else if !errors.Is(err, process.ErrNotFound) {
			return nil, err
		}
	}
	return out, nil
}

// readProgramme replays a programme's stream (programmes are short: no cache, no snapshots).
func (e *Engine) readProgramme(ctx context.Context, id uuid.UUID) (*programme.Programme, error) {
	events, err := e.cfg.Store.ReadStream(ctx, ProgrammeStreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		return nil, err
	}
	p := programme.New(id)
	for _, ev := range events {
		payload, err := programme.Decode(ev.Type, ev.SchemaVersion, ev.Data)
		if err != nil {
			return nil, err
		}
		p.Apply(programme.Recorded{Payload: payload, Version: ev.Version, CommandID: ev.Metadata.CommandID})
	}
	return p, nil
}

// appendProgramme writes the programme's pending events after version before. Their metadata
// name the actor's tenant: a member site's attendance is recorded by the site.
func (e *Engine) appendProgramme(ctx context.Context, m process.Meta, p *programme.Programme, before int64) error {
	pending := p.Pending()
	data := make([]eventstore.EventData, len(pending))
	for i, pl := range pending {
		b, schema, err := programme.Encode(pl)
		if err != nil {
			return err
		}
		data[i] = eventstore.EventData{ID: eventstore.CommandEventID(ProgrammeStreamOf(p.ID), m.CommandID, i), Type: pl.Type(), SchemaVersion: schema, Data: b,
			Metadata: eventstore.Metadata{Tenant: m.Actor.Tenant, Actor: m.Actor.User, CommandID: m.CommandID,
				CorrelationID: m.CommandID, CausationID: causation(m)}}
	}
	if len(data) == 0 {
		return nil
	}
	_, err := e.cfg.Store.Append(ctx, ProgrammeStreamOf(p.ID), eventstore.Exact(before), data...)
	if err == nil {
		p.ClearPending()
	}
	return err
}
