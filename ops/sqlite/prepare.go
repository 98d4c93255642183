package sqlite

import (
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// The goroutine that appends encodes its events before it queues them for the writer: each
// event's canonical record and the body to store. Packing the body and checking that it rebuilds
// the record exactly cost more than half of the writer's own work per event, which the one
// writer goroutine would otherwise do serially inside the transaction (issue 16, many cores).
//
// Both depend on things only the writer knows for sure: the record holds the event's version,
// and record and body hold the recorded-at, which must not decrease in position order. So the
// appender computes them speculatively, with the versions its expected version implies (1, 2, …
// when it does not name one) and the recorded-at it reads from the clock just before queueing.
// The writer takes the recorded-at of each append as the later of the appender's and the one
// before it in the log, and the versions from the stream's head, and encodes again whatever no
// longer fits (prepared.fit): both for another recorded-at, only the record for another version
// (a compact body holds no version). What is stored is therefore exactly what the writer computed
// before, from the same inputs.

// prepared is one event of an append, encoded for a version and a recorded-at.
type prepared struct {
	version int64  // the version rec holds
	at      int64  // the recorded-at rec and body hold, Unix nanoseconds
	rec     []byte // the canonical record (eventstore.EncodeRecord)
	body    []byte // what event_log stores (storedBody): compact, or rec itself
}

// prepare encodes an append's events with the versions expected implies and recorded-at at.
func prepare(stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData, at int64) []prepared {
	first := int64(1)
	if v, ok := expected.IsExact(); ok {
		first = v + 1
	}
	out := make([]prepared, len(events))
	for i, e := range events {
		out[i] = encodeEvent(stream, e, first+int64(i), at)
	}
	return out
}

// encodeEvent encodes an event as the writer stores it at version with recorded-at at.
func encodeEvent(stream string, e eventstore.EventData, version, at int64) prepared {
	ev := recordedEvent(stream, e, version, at)
	rec := eventstore.EncodeRecord(ev)
	return prepared{version: version, at: at, rec: rec, body: storedBody(ev, rec)}
}

// fit returns p encoded for version and at, encoding again only what they change.
func (p prepared) fit(stream string, e eventstore.EventData, version, at int64) (prepared, bool) {
	switch {
	case at != p.at:
		return encodeEvent(stream, e, version, at), true
	case version != p.version:
		raw := isRaw(p.body)
		p.version, p.rec = version, eventstore.EncodeRecord(recordedEvent(stream, e, version, at))
		if raw {
			p.body = p.rec
		}
		return p, true
	}
	return p, false
}

// recordedEvent is e as recorded at version with recorded-at at (without position and hash).
func recordedEvent(stream string, e eventstore.EventData, version, at int64) eventstore.Event {
	return eventstore.Event{
		ID: e.ID, Stream: stream, Version: version, Type: e.Type, SchemaVersion: e.SchemaVersion,
		Data: e.Data, Metadata: e.Metadata, RecordedAt: time.Unix(0, at).UTC(),
	}
}

// tailEvent is the event the subscriptions' tail keeps for a row the writer inserted: the fields
// DecodeRecord would read back from p.rec, its data a slice of p.rec (which nobody changes), so
// that the tail shares nothing with the appender's EventData.Data.
func tailEvent(stream string, e eventstore.EventData, p prepared, pos int64, hash eventstore.Hash) eventstore.Event {
	ev := recordedEvent(stream, e, p.version, p.at)
	ev.Data = p.rec[len(p.rec)-len(e.Data) : len(p.rec) : len(p.rec)]
	ev.Position, ev.Hash = eventstore.SequencePosition(uint64(pos)), hash
	return ev
}
