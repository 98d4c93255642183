package eventstore

import (
	"encoding/hex"
	"time"

	"github.com/google/uuid"
)

// EventData is an event to append: what the caller decides. The store adds the stream, the
// version, the global position, the recorded-at time and the chain hash.
type EventData struct {
	// ID identifies the event. It must be set (never uuid.Nil): a retried append with the same
	// IDs is recognised and writes nothing. Use NewEventID, or derive IDs from a command ID.
	ID uuid.UUID
	// Type is the stable, registered wire name, e.g. "process.stage_completed"; never a Go type name.
	Type string
	// SchemaVersion is the version of the payload's schema for this type, starting at 1.
	SchemaVersion int
	// Data is the payload as a JSON document.
	Data []byte
	// Metadata says who caused the event and in what context.
	Metadata Metadata
}

// Metadata is the context of an event: tenant, actor and the IDs that tie it to a command and a
// conversation. Every field is optional for the store; the engine fills them.
type Metadata struct {
	// Tenant is the municipality or county the event belongs to.
	Tenant string `json:"tenant,omitempty"`
	// Actor is the user (or system component) that caused the event.
	Actor string `json:"actor,omitempty"`
	// CorrelationID ties together everything that follows from one request.
	CorrelationID string `json:"correlation_id,omitempty"`
	// CausationID is the ID of the message (command or event) that caused this event.
	CausationID string `json:"causation_id,omitempty"`
	// CommandID is the ID of the command that recorded this event.
	CommandID string `json:"command_id,omitempty"`
}

// Event is a recorded event: the envelope as the store keeps it.
type Event struct {
	// ID is the event's ID as given on append.
	ID uuid.UUID
	// Stream is the name of the stream the event belongs to.
	Stream string
	// Version is the event's place in its stream, starting at 1.
	Version int64
	// Position is the event's place in the global log.
	Position Position
	// Type is the registered wire name of the event.
	Type string
	// SchemaVersion is the payload's schema version.
	SchemaVersion int
	// Data is the payload (JSON) exactly as stored.
	Data []byte
	// Metadata is the event's context.
	Metadata Metadata
	// RecordedAt is when the store recorded the event, from the store's injected clock, in UTC.
	RecordedAt time.Time
	// Hash is the chain hash: it covers the previous event's hash in the stream and this event's
	// record (see EncodeRecord and ChainHash).
	Hash Hash
}

// Hash is a SHA-256 chain hash.
type Hash [32]byte

// String returns the hash in lower-case hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the all-zero hash that precedes the first event of every stream.
func (h Hash) IsZero() bool { return h == Hash{} }

// AppendResult is what a successful Append reports.
type AppendResult struct {
	// Version is the stream's version after the append: the version of its last event.
	Version int64
	// Position is the global position of the last event of the append.
	Position Position
	// Duplicate is true when the append was a retry of one already recorded and wrote nothing.
	Duplicate bool
}

// NewEventID returns a new time-ordered event ID (UUIDv7).
func NewEventID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}
