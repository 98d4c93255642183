package esdb

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// envelope is what EventStoreDB has no field for, kept in an event's user metadata as JSON.
type envelope struct {
	Format        int    `json:"civicflow"` // 1
	SchemaVersion int    `json:"schema_version"`
	RecordedAt    int64  `json:"recorded_at"` // Unix nanoseconds, UTC
	Tenant        string `json:"tenant,omitempty"`
	Actor         string `json:"actor,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	CommandID     string `json:"command_id,omitempty"`
	Hash          string `json:"hash"` // the chain hash, hexadecimal
}

// errNotCivicflow marks an event that was not written by civicflow (a system event, or one
// without the envelope): readers of the log pass over it.
var errNotCivicflow = errors.New("esdb: not a civicflow event")

// toProposed makes the EventStoreDB event of e at version in stream after the hash prev, and
// returns it with the chain hash it carries.
func toProposed(stream string, version int64, e eventstore.EventData, at time.Time, prev eventstore.Hash) (esdb.EventData, eventstore.Hash, error) {
	rec := eventstore.EncodeRecord(eventstore.Event{ID: e.ID, Stream: stream, Version: version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, Data: e.Data, Metadata: e.Metadata, RecordedAt: at})
	hash := eventstore.ChainHash(prev, rec)
	meta, err := json.Marshal(envelope{Format: 1, SchemaVersion: e.SchemaVersion, RecordedAt: at.UnixNano(),
		Tenant: e.Metadata.Tenant, Actor: e.Metadata.Actor, CorrelationID: e.Metadata.CorrelationID,
		CausationID: e.Metadata.CausationID, CommandID: e.Metadata.CommandID, Hash: hash.String()})
	if err != nil {
		return esdb.EventData{}, hash, err
	}
	return esdb.EventData{EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta}, hash, nil
}

// fromRecorded turns a recorded EventStoreDB event back into civicflow's envelope. The result's
// Hash is the one stored; whether it matches the record is for a ChainVerifier to say.
func fromRecorded(r *esdb.RecordedEvent) (eventstore.Event, error) {
	if r == nil || len(r.EventType) > 0 && r.EventType[0] == '$' || len(r.UserMetadata) == 0 {
		return eventstore.Event{}, errNotCivicflow
	}
	var env envelope
	if err := json.Unmarshal(r.UserMetadata, &env); err != nil || env.Format != 1 {
		return eventstore.Event{}, errNotCivicflow
	}
	e := eventstore.Event{
		ID: r.EventID, Stream: r.StreamID, Version: int64(r.EventNumber) + 1,
		Position: eventstore.NewPosition(r.Position.Commit, r.Position.Prepare),
		Type:     r.EventType, SchemaVersion: env.SchemaVersion, Data: r.Data,
		Metadata: eventstore.Metadata{Tenant: env.Tenant, Actor: env.Actor, CorrelationID: env.CorrelationID,
			CausationID: env.CausationID, CommandID: env.CommandID},
		RecordedAt: time.Unix(0, env.RecordedAt).UTC(),
	}
	h, err := hex.DecodeString(env.Hash)
	if err != nil || len(h) != len(e.Hash) {
		return e, &eventstore.IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position,
			Problem: fmt.Sprintf("the chain hash in the metadata is not %d hexadecimal bytes", len(e.Hash))}
	}
	copy(e.Hash[:], h)
	return e, nil
}

// record returns the canonical record of e (what its chain hash covers).
func record(e eventstore.Event) []byte { return eventstore.EncodeRecord(e) }
