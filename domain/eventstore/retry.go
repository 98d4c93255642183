package eventstore

import (
	"bytes"
	"fmt"

	"github.com/google/uuid"
)

// Recorded is an event a store found under one of an append's event IDs.
type Recorded struct {
	// Stream, Version and Position are where the event is recorded.
	Stream   string
	Version  int64
	Position Position
	// Record is the stored record (EncodeRecord's bytes).
	Record []byte
}

// DecideRetry decides an append whose event IDs were looked up: found[i] is the event recorded
// under events[i].ID, or nil. It returns decided false when none is recorded (the append is new).
// When all are recorded, in stream, consecutively, with the same content and where expected puts
// them, the append is an idempotent retry: res reports the recorded version and position with
// Duplicate set. Otherwise err is an *IdempotencyError (some recorded differently) or a
// *ConcurrencyError (recorded, but not where expected puts them; head is the stream's version).
// Every adapter decides retries with it, so they agree on what a retry is.
func DecideRetry(stream string, expected ExpectedVersion, events []EventData, found []*Recorded, head int64) (res AppendResult, decided bool, err error) {
	n := 0
	var first, last int64
	var lastPos Position
	for i, e := range events {
		f := found[i]
		if f == nil {
			continue
		}
		problem := SameEvent(stream, e, f.Stream, f.Record)
		if problem == "" && n > 0 && f.Version != last+1 {
			problem = fmt.Sprintf("is recorded at version %d, not after version %d as in this append", f.Version, last)
		}
		if problem == "" && n != i {
			problem = "is recorded, but the events before it in this append are not"
		}
		if problem != "" {
			return res, true, &IdempotencyError{EventID: e.ID, Stream: stream, Problem: problem}
		}
		if n == 0 {
			first = f.Version
		}
		n++
		last, lastPos = f.Version, f.Position
	}
	switch {
	case n == 0:
		return res, false, nil
	case n < len(events):
		return res, true, &IdempotencyError{EventID: events[n].ID, Stream: stream,
			Problem: fmt.Sprintf("only %d of the append's %d events are recorded", n, len(events))}
	case !retryFits(expected, first):
		return res, true, &ConcurrencyError{Stream: stream, Expected: expected, Actual: head}
	}
	return AppendResult{Version: last, Position: lastPos, Duplicate: true}, true, nil
}

// retryFits reports whether events recorded from version first on are where an append with the
// expected version would have put them.
func retryFits(expected ExpectedVersion, first int64) bool {
	if v, ok := expected.IsExact(); ok {
		return first == v+1
	}
	switch {
	case expected.IsNoStream():
		return first == 1
	case expected.IsStreamExists():
		return first > 1
	}
	return true
}

// SameEvent returns "" when the event recorded in recStream with record has the content of e in
// stream, else what differs.
func SameEvent(stream string, e EventData, recStream string, record []byte) string {
	if recStream != stream {
		return fmt.Sprintf("is recorded in another stream (%q)", recStream)
	}
	got, err := DecodeRecord(record)
	if err != nil {
		return "is recorded, but its record cannot be decoded: " + err.Error()
	}
	switch {
	case got.Type != e.Type:
		return fmt.Sprintf("is recorded with type %q, not %q", got.Type, e.Type)
	case got.SchemaVersion != e.SchemaVersion:
		return fmt.Sprintf("is recorded with schema version %d, not %d", got.SchemaVersion, e.SchemaVersion)
	case !bytes.Equal(got.Data, e.Data):
		return "is recorded with different data"
	case got.Metadata != e.Metadata:
		return "is recorded with different metadata"
	}
	return ""
}

// StoredRow is an event as a relational store keeps it: the record, its hash, and copies of
// some of its fields as columns for indexes.
type StoredRow struct {
	Position Position
	Stream   string
	Version  int64
	EventID  []byte
	Type     string
	Record   []byte
	Hash     []byte
}

// Event decodes the row's record and attaches its position and hash. It checks neither the
// columns nor the chain (Check does).
func (r StoredRow) Event() (Event, error) {
	return r.event(DecodeRecord)
}

// Check verifies the row: its record decodes, its columns equal the record's fields, and its hash
// continues its stream's chain in chain. The problem is an *IntegrityError naming the row.
func (r StoredRow) Check(chain *ChainVerifier) error {
	at := func(problem string) error {
		return &IntegrityError{Stream: r.Stream, Version: r.Version, Position: r.Position, Problem: problem}
	}
	e, err := r.Event()
	if err != nil {
		return at("the stored record is damaged: " + err.Error())
	}
	id, err := uuid.FromBytes(r.EventID)
	switch {
	case err != nil || id != e.ID:
		return at("the event_id column differs from the stored record")
	case e.Stream != r.Stream:
		return at(fmt.Sprintf("the stream column differs from the stored record (%q)", e.Stream))
	case e.Version != r.Version:
		return at(fmt.Sprintf("the version column differs from the stored record (%d)", e.Version))
	case e.Type != r.Type:
		return at(fmt.Sprintf("the type column differs from the stored record (%q)", e.Type))
	}
	return chain.Check(e)
}
