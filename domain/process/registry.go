package process

import (
	"encoding/json"
	"fmt"
)

// Upcaster turns the data of one schema version into the next.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

type registration struct {
	schema   int
	decode   func(json.RawMessage) (Payload, error)
	upcaster map[int]Upcaster // from version v to v+1
}

var registry = map[string]registration{}

func register[P Payload](schema int, upcasters map[int]Upcaster) {
	var zero P
	registry[zero.Type()] = registration{schema: schema, upcaster: upcasters, decode: func(b json.RawMessage) (Payload, error) {
		var p P
		err := json.Unmarshal(b, &p)
		return p, err
	}}
}

func init() {
	register[ProcessOpened](1, nil)
	register[TaskCompleted](1, nil)
	register[TaskReopened](1, nil)
	register[ApprovalGranted](1, nil)
	register[ApprovalRevoked](1, nil)
	register[StageCompleted](1, nil)
	register[StageReverted](1, nil)
	register[ParticipantRegistered](1, nil)
	register[ParticipantWithdrawn](1, nil)
	register[SessionScheduled](1, nil)
	register[SessionHeld](1, nil)
	register[ContributionRecorded](1, nil)
	register[DecisionRecorded](1, nil)
	register[ResultPublished](1, nil)
	register[MeasureDefined](1, nil)
	register[MeasureProgressReported](2, map[int]Upcaster{1: upcastProgressV1})
	register[ProcessSuspended](1, nil)
	register[ProcessResumed](1, nil)
	register[ProcessCancelled](1, nil)
	register[ProcessCompleted](1, nil)
	register[ProcessMigrated](1, nil)
}

// upcastProgressV1 turns version 1 of process.measure_progress_reported, which had "percent" and
// no status, into version 2 ("progress", "status" derived from it).
func upcastProgressV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		Measure string `json:"measure"`
		Percent int    `json:"percent"`
		Note    string `json:"note,omitempty"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, err
	}
	status := "in_progress"
	switch {
	case v1.Percent == 0:
		status = "planned"
	case v1.Percent >= 100:
		status = "done"
	}
	return json.Marshal(MeasureProgressReported{Measure: v1.Measure, Progress: v1.Percent, Status: status, Note: v1.Note})
}

// SchemaVersion returns the current schema version of an event type (0 if unknown).
func SchemaVersion(typ string) int { return registry[typ].schema }

// Known reports whether typ is a registered process event type.
func Known(typ string) bool { _, ok := registry[typ]; return ok }

// Encode returns the payload's JSON and its current schema version.
func Encode(p Payload) ([]byte, int, error) {
	reg, ok := registry[p.Type()]
	if !ok {
		return nil, 0, fmt.Errorf("process: event type %q is not registered", p.Type())
	}
	b, err := json.Marshal(p)
	return b, reg.schema, err
}

// Decode reads a stored event of type typ at schema version, upcasting old versions.
func Decode(typ string, schema int, data []byte) (Payload, error) {
	reg, ok := registry[typ]
	if !ok {
		return nil, fmt.Errorf("process: unknown event type %q", typ)
	}
	if schema < 1 || schema > reg.schema {
		return nil, fmt.Errorf("process: %s: schema version %d is not between 1 and %d", typ, schema, reg.schema)
	}
	raw := json.RawMessage(data)
	for v := schema; v < reg.schema; v++ {
		up, ok := reg.upcaster[v]
		if !ok {
			return nil, fmt.Errorf("process: %s: no upcaster from schema version %d", typ, v)
		}
		var err error
		if raw, err = up(raw); err != nil {
			return nil, fmt.Errorf("process: %s: upcast from version %d: %w", typ, v, err)
		}
	}
	p, err := reg.decode(raw)
	if err != nil {
		return nil, fmt.Errorf("process: %s: %w", typ, err)
	}
	return p, nil
}
