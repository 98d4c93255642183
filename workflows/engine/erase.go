package engine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// PersonErased is the event "person.erased" in the stream "person-<id>": the person's key was
// deleted (Art. 17 GDPR); their sealed data reads as erased from now on.
type PersonErased struct {
	Person string    `json:"person"`
	ByRole string    `json:"by_role"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// TypePersonErased is the wire name of PersonErased.
const TypePersonErased = "person.erased"

// ErasePerson erases a person's personal data: it records the erasure, then deletes the person's
// key. Only administrators erase, a tenant's only its own persons: another tenant's person, or a
// person the vault never knew, is ErrNotFound and nothing is written. Erasing again records
// nothing new and deletes the key again (so a crash between the two steps is mended by a retry).
func (e *Engine) ErasePerson(ctx context.Context, m process.Meta, person string) error {
	m = e.meta(m)
	if m.Actor.Role != template.RoleAdministrator {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: "erase personal data"}
	}
	if person == "" {
		return &process.InvalidError{Field: "person", Problem: "is required"}
	}
	person, err := e.personOf(ctx, m.Actor, person)
	if err != nil {
		return err
	}
	b, err := json.Marshal(PersonErased{Person: person, ByRole: m.Actor.Role, By: m.Actor.User, At: m.Now})
	if err != nil {
		return err
	}
	_, err = e.cfg.Store.Append(ctx, "person-"+person, eventstore.NoStream, eventstore.EventData{
		ID: eventID(m, 0), Type: TypePersonErased, SchemaVersion: 1, Data: b,
		Metadata: eventstore.Metadata{Tenant: tenantOf(person), Actor: m.Actor.User, CommandID: m.CommandID}})
	if err != nil && !errors.Is(err, eventstore.ErrConcurrency) { // a conflict: erased before
		return err
	}
	if err := e.cfg.Vault.Erase(ctx, person); err != nil {
		return err
	}
	return e.endMemberships(ctx, m, person)
}

// endMemberships ends the erased person's team memberships and process roles in every process of
// their tenant where they are a participant (process.EndMemberships). Each process's command ID
// is derived from the erasure's, so a retried erasure records nothing twice.
func (e *Engine) endMemberships(ctx context.Context, m process.Meta, person string) error {
	filter := eventstore.Filter{StreamPrefixes: []string{"process-"}, EventTypes: []string{process.ParticipantRegistered{}.Type()}}
	after := eventstore.Start
	for {
		page, err := e.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Filter: filter})
		if err != nil {
			return err
		}
		for _, ev := range page {
			if ev.Metadata.Tenant != tenantOf(person) {
				continue
			}
			var reg process.ParticipantRegistered
			if err := json.Unmarshal(ev.Data, &reg); err != nil {
				return err
			}
			if reg.Person != person {
				continue
			}
			if err := e.endMembershipsIn(ctx, m, ev.Stream, reg.Participant); err != nil {
				return err
			}
		}
		if len(page) < eventstore.DefaultReadAllLimit {
			return nil
		}
		after = page[len(page)-1].Position
	}
}

func (e *Engine) endMembershipsIn(ctx context.Context, m process.Meta, stream, participant string) error {
	id, err := uuid.Parse(strings.TrimPrefix(stream, "process-"))
	if err != nil {
		return nil // not a process's stream
	}
	p, err := e.Load(ctx, m.Actor, id)
	if errors.Is(err, process.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	member := false
	for _, t := range p.Collab.Teams {
		member = member || slices.Contains(t.Members, participant)
	}
	for _, holders := range p.Collab.Roles {
		member = member || slices.Contains(holders, participant)
	}
	if !member {
		return nil
	}
	m.CommandID = uuid.NewSHA1(programmeNamespace, []byte("erasure\x00"+m.CommandID+"\x00"+stream)).String()
	_, err = e.Do(ctx, m, id, NoExpectation, endMemberships{Participant: participant})
	return err
}

// endMemberships is the command of an erasure that ends a participant's memberships.
type endMemberships struct{ Participant string }

func (endMemberships) Action() process.Action { return process.ActEndMemberships }

func (c endMemberships) run(_ context.Context, _ *Engine, m process.Meta, p *process.Process) error {
	return p.EndMemberships(m, c.Participant)
}

// Reveal opens sealed personal data for display: the plain text, or "gelöscht / erased" once the
// person was erased.
func (e *Engine) Reveal(ctx context.Context, s process.Sealed) string {
	if s.IsZero() {
		return ""
	}
	text, err := e.cfg.Vault.Open(ctx, s)
	if err != nil {
		return Erased
	}
	return text
}

// Erased is what erased personal data reads as.
const Erased = "gelöscht / erased"

// Erasure returns the record of a person's erasure, if they were erased.
func (e *Engine) Erasure(ctx context.Context, person string) (PersonErased, bool, error) {
	events, err := e.cfg.Store.ReadStream(ctx, "person-"+person, eventstore.ReadStreamOptions{})
	if err != nil {
		return PersonErased{}, false, err
	}
	for _, ev := range events {
		if ev.Type != TypePersonErased {
			continue
		}
		var pe PersonErased
		if err := json.Unmarshal(ev.Data, &pe); err != nil {
			return PersonErased{}, false, err
		}
		return pe, true, nil
	}
	return PersonErased{}, false, nil
}

// Notice is how an erasure reads where the data was: "gelöscht am 2025-03-01 von administrator
// (Art. 17 DSGVO) / erased on 2025-03-01 by administrator (Art. 17 GDPR)". The date is UTC.
func (pe PersonErased) Notice() string {
	day := pe.At.UTC().Format(time.DateOnly)
	return "gelöscht am " + day + " von " + pe.ByRole + " (Art. 17 DSGVO) / erased on " + day + " by " + pe.ByRole + " (Art. 17 GDPR)"
}
