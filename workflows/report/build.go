package report

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/seal"
)

// HeadLister lists the signed tree heads, smallest tree first (seal.SealStore has it).
type HeadLister interface {
	List(ctx context.Context) ([][]byte, error)
}

// Sources is where Build reads.
type Sources struct {
	// Store is the event log. Required.
	Store eventstore.Store
	// Heads lists the signed tree heads. Default: none, the report carries no seal.
	Heads HeadLister
	// Hashes reads the log's Merkle tree for inclusion proofs. Default: none, no proofs.
	Hashes tlog.HashReader
}

// Build makes the report of a process as of an instant: it reads the process's events, the
// template versions and erasures they refer to and the latest seal, derives the content, adds the
// evidence with inclusion proofs in the seal and verifies the whole with verifier (nil: the seal's
// signature is not checked). It returns process.ErrNotFound for an unknown process; who may read
// it is the caller's decision.
func Build(ctx context.Context, src Sources, id uuid.UUID, asOf time.Time, verifier note.Verifier) (*Report, error) {
	m, err := collect(ctx, src.Store, id)
	if err != nil {
		return nil, err
	}
	content, err := Derive(m, asOf)
	if err != nil {
		return nil, err
	}
	r := &Report{Format: Format, Content: content}
	var head seal.Head
	if r.Seal, head, err = latestSeal(ctx, src.Heads); err != nil {
		return nil, err
	}
	last := map[string]eventstore.Event{} // the event before, when it is evidence too
	for _, group := range [][]eventstore.Event{m.Process, m.Templates, m.Erasures} {
		for _, ev := range group {
			prev, ok := last[ev.Stream]
			if !ok || prev.Version != ev.Version-1 {
				if prev, err = predecessor(ctx, src.Store, ev); err != nil {
					return nil, err
				}
			}
			e, err := evidence(src.Hashes, ev, prev.Hash, head)
			if err != nil {
				return nil, err
			}
			r.Evidence, last[ev.Stream] = append(r.Evidence, e), ev
		}
	}
	r.Verification = Verify(r, verifier)
	return r, nil
}

// latestSeal is the latest signed tree head (nil and the zero head when there is none).
func latestSeal(ctx context.Context, lister HeadLister) (*Seal, seal.Head, error) {
	if lister == nil {
		return nil, seal.Head{}, nil
	}
	heads, err := lister.List(ctx)
	if err != nil || len(heads) == 0 {
		return nil, seal.Head{}, err
	}
	signed := heads[len(heads)-1]
	head, err := seal.ReadHead(signed)
	if err != nil {
		return nil, seal.Head{}, err
	}
	return &Seal{Signed: string(signed), Size: head.Size, Root: hex.EncodeToString(head.Root[:]), Time: head.Time.UTC()}, head, nil
}

// collect reads the events a process's report is derived from.
func collect(ctx context.Context, store eventstore.Store, id uuid.UUID) (Material, error) {
	var m Material
	var err error
	if m.Process, err = readAll(ctx, store, engine.StreamOf(id)); err != nil {
		return m, err
	}
	if len(m.Process) == 0 {
		return m, process.ErrNotFound
	}
	tid, versions, persons, err := references(m.Process)
	if err != nil {
		return m, err
	}
	tevents, err := readAll(ctx, store, template.StreamOf(tid))
	if err != nil {
		return m, err
	}
	for _, ev := range tevents {
		if ev.Type == template.TypePublished && versions[publishedVersion(ev)] {
			m.Templates = append(m.Templates, ev)
		}
	}
	for _, person := range persons {
		events, err := readAll(ctx, store, "person-"+person)
		if err != nil {
			return m, err
		}
		for _, ev := range events {
			if ev.Type == engine.TypePersonErased {
				m.Erasures = append(m.Erasures, ev)
				break
			}
		}
	}
	return m, nil
}

// references returns the template, its versions and the persons a process's events refer to.
func references(events []eventstore.Event) (string, map[int]bool, []string, error) {
	var tid string
	versions := map[int]bool{}
	seen := map[string]bool{}
	var persons []string
	for _, ev := range events {
		payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
		if err != nil {
			return "", nil, nil, fmt.Errorf("report: %s v%d: %w", ev.Stream, ev.Version, err)
		}
		switch p := payload.(type) {
		case process.ProcessOpened:
			tid, versions[p.TemplateVersion] = p.TemplateID, true
		case process.ProcessMigrated:
			versions[p.ToVersion] = true
		case process.ParticipantRegistered:
			if !seen[p.Person] && p.Person != "" {
				seen[p.Person] = true
				persons = append(persons, p.Person)
			}
		}
	}
	sort.Strings(persons)
	return tid, versions, persons, nil
}

// publishedVersion is the version number in a template.published event (0 if unreadable).
func publishedVersion(ev eventstore.Event) int {
	var pub template.Published
	if err := json.Unmarshal(ev.Data, &pub); err != nil {
		return 0
	}
	return pub.Template.Version
}

func readAll(ctx context.Context, store eventstore.Store, stream string) ([]eventstore.Event, error) {
	var out []eventstore.Event
	for from := int64(1); ; {
		page, err := store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: from, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		from = page[len(page)-1].Version + 1
	}
}

// predecessor is the event before ev in its stream (the zero event before the first).
func predecessor(ctx context.Context, store eventstore.Store, ev eventstore.Event) (eventstore.Event, error) {
	if ev.Version <= 1 {
		return eventstore.Event{}, nil
	}
	before, err := store.ReadStream(ctx, ev.Stream, eventstore.ReadStreamOptions{From: ev.Version - 1, Limit: 1})
	if err != nil {
		return eventstore.Event{}, err
	}
	if len(before) != 1 {
		return eventstore.Event{}, fmt.Errorf("report: %s v%d: its predecessor is missing", ev.Stream, ev.Version)
	}
	return before[0], nil
}

// evidence is an event's record, its predecessor's hash and its inclusion proof in head.
func evidence(hashes tlog.HashReader, ev eventstore.Event, prev eventstore.Hash, head seal.Head) (Evidence, error) {
	e := Evidence{Stream: ev.Stream, Version: ev.Version, Position: ev.Position.String(), Record: eventstore.EncodeRecord(ev),
		Prev: prev.String(), Hash: ev.Hash.String()}
	leaf := int64(ev.Position.Commit()) - 1
	if hashes == nil || leaf >= head.Size {
		return e, nil
	}
	proof, err := tlog.ProveRecord(head.Size, leaf, hashes)
	if err != nil {
		return Evidence{}, fmt.Errorf("report: proof of %s v%d: %w", ev.Stream, ev.Version, err)
	}
	for _, h := range proof {
		e.Proof = append(e.Proof, hex.EncodeToString(h[:]))
	}
	return e, nil
}
