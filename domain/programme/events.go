package programme

import (
	"encoding/json"
	"fmt"
	"time"
)

// Payload is the data of a programme event, with a stable wire name (Type) and a schema version.
type Payload interface {
	// Type is the event's registered wire name, e.g. "programme.process_joined".
	Type() string
}

// Opened starts a programme.
type Opened struct {
	Title       string    `json:"title"`
	Tenant      string    `json:"tenant"`
	Coordinator string    `json:"coordinator"`
	Template    string    `json:"template,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	MaxSites    int       `json:"max_sites"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// ProcessJoined makes a process of a tenant a member site of the programme.
type ProcessJoined struct {
	Process string    `json:"process"`
	Tenant  string    `json:"tenant"`
	Site    string    `json:"site"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// ProcessLeft ends a process's membership, for a reason.
type ProcessLeft struct {
	Process string    `json:"process"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// SessionScheduled plans a session shared by all sites (a Fachtagung, a workshop of the series).
type SessionScheduled struct {
	Session         string    `json:"session"`
	Title           string    `json:"title"`
	Format          string    `json:"format"`
	Date            time.Time `json:"date"`
	DurationMinutes int       `json:"duration_minutes,omitempty"`
	// RRule makes the session a series starting at Date (the RFC 5545 subset of
	// process.ParseRRule); absent in sessions scheduled before.
	RRule  string `json:"rrule,omitempty"`
	Place  string `json:"place,omitempty"`
	Online bool   `json:"online,omitempty"`
}

// SessionHeld records that a shared session took place.
type SessionHeld struct {
	Session string    `json:"session"`
	Notes   string    `json:"notes,omitempty"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// AttendanceRecorded says which persons of one site attended a shared session; it replaces what
// was recorded for that site and session before. Persons are tenant-scoped person IDs
// ("menden:p-17"), never names.
type AttendanceRecorded struct {
	Session string   `json:"session"`
	Tenant  string   `json:"tenant"`
	Persons []string `json:"persons"`
	By      string   `json:"by"`
}

// Type returns "programme.opened".
func (Opened) Type() string { return "programme.opened" }

// Type returns "programme.process_joined".
func (ProcessJoined) Type() string { return "programme.process_joined" }

// Type returns "programme.process_left".
func (ProcessLeft) Type() string { return "programme.process_left" }

// Type returns "programme.session_scheduled".
func (SessionScheduled) Type() string { return "programme.session_scheduled" }

// Type returns "programme.session_held".
func (SessionHeld) Type() string { return "programme.session_held" }

// Type returns "programme.attendance_recorded".
func (AttendanceRecorded) Type() string { return "programme.attendance_recorded" }

type registration struct {
	schema int
	decode func(json.RawMessage) (Payload, error)
}

var registry = map[string]registration{}

func register[P Payload](schema int) {
	var zero P
	registry[zero.Type()] = registration{schema: schema, decode: func(b json.RawMessage) (Payload, error) {
		var p P
		err := json.Unmarshal(b, &p)
		return p, err
	}}
}

func init() {
	register[Opened](1)
	register[ProcessJoined](1)
	register[ProcessLeft](1)
	register[SessionScheduled](1)
	register[SessionHeld](1)
	register[AttendanceRecorded](1)
}

// Known reports whether typ is a registered programme event type.
func Known(typ string) bool { _, ok := registry[typ]; return ok }

// SchemaVersion returns the current schema version of an event type (0 if unknown).
func SchemaVersion(typ string) int { return registry[typ].schema }

// Encode returns the payload's JSON and its current schema version.
func Encode(p Payload) ([]byte, int, error) {
	reg, ok := registry[p.Type()]
	if !ok {
		return nil, 0, fmt.Errorf("programme: event type %q is not registered", p.Type())
	}
	b, err := json.Marshal(p)
	return b, reg.schema, err
}

// Decode reads a stored event of type typ at schema version.
func Decode(typ string, schema int, data []byte) (Payload, error) {
	reg, ok := registry[typ]
	if !ok {
		return nil, fmt.Errorf("programme: unknown event type %q", typ)
	}
	if schema < 1 || schema > reg.schema {
		return nil, fmt.Errorf("programme: %s: schema version %d is not between 1 and %d", typ, schema, reg.schema)
	}
	p, err := reg.decode(data)
	if err != nil {
		return nil, fmt.Errorf("programme: %s: %w", typ, err)
	}
	return p, nil
}
