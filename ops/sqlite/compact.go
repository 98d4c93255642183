package sqlite

import (
	"bytes"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"

	"modernc.org/sqlite"
)

// The event_log table (migration 8) keeps an event's ID, stream, version and type as columns
// (stream and type as numbers into event_streams and event_names) and the rest of its canonical
// record (eventstore.EncodeRecord) in the body column, in one of three forms:
//
//   - compact, format 2 (first byte compactFormat2, written since migration 10): flags, schema
//     version, recorded-at (as its distance from the event ID's time when that is short), tenant,
//     actor, the command ID (16 bytes when it is a UUID in canonical text, 10 when it shares its
//     time with the event ID), the correlation and causation IDs (nothing when equal to the
//     command ID), and the
//     data: as it is, or packed (packData: every UUID in canonical text as 16 bytes, every RFC 3339
//     UTC time as its distance from recorded-at, every known field name as a byte or two).
//   - compact, format 1 (compactFormat, written by migration 8's release): the same, the data
//     with every UUID replaced in place by uuidEscape and its 16 bytes. Still read, no longer
//     written.
//   - raw: the canonical record itself (it starts with "CFR"). The writer stores a record raw
//     when its compact body would not rebuild exactly the same bytes, and rows written through
//     the events view (tools, tests) are raw.
//
// The canonical record is rebuilt from the columns and the body; the chain hash covers the
// rebuilt bytes, so a body's form changes nothing that is hashed, sealed or verified.
const (
	compactFormat  = 0x01
	compactFormat2 = 0x02
	uuidEscape     = 0x01 // in format 1 data: 16 bytes of a UUID follow
)

// Flags of a compact body.
const (
	flagCommandUUID   = 1 << iota // the command ID is 16 bytes
	flagCorrSame                  // the correlation ID equals the command ID
	flagCausSame                  // the causation ID equals the command ID
	flagCorrUUID                  // the correlation ID is 16 bytes
	flagCausUUID                  // the causation ID is 16 bytes
	flagDataUUIDs                 // format 1: the data holds escaped UUIDs; format 2: the data is packed
	flagTimeNearID                // format 2: recorded-at is its distance from the event ID's time (a varint)
	flagCommandNearID             // format 2: the command ID (16 bytes) shares its first 6 with the event ID: 10 are stored
	flagAll           = 1<<iota - 1
	flagAll1          = flagAll &^ (flagTimeNearID | flagCommandNearID)
	flagDataPacked    = flagDataUUIDs
)

// idShared is how many leading bytes of a UUIDv7 are its time (milliseconds): IDs made in the
// same millisecond share them, as the event ID derived from a command (eventstore.CommandEventID)
// shares them with the command ID, and the IDs a command makes with both.
const idShared = 6

// idTime is the time in an event ID's first 48 bits (a UUIDv7's milliseconds), in nanoseconds,
// wrapping for IDs that are no UUIDv7: encoder and decoder use the same wrapping arithmetic.
func idTime(id []byte) int64 {
	var ms uint64
	for _, c := range id[:idShared] {
		ms = ms<<8 | uint64(c)
	}
	return int64(ms * 1e6)
}

// isRaw reports whether a body is a canonical record rather than a compact body.
func isRaw(body []byte) bool {
	return len(body) > 0 && body[0] != compactFormat && body[0] != compactFormat2
}

// storedBody returns the body to store for an event whose canonical record is rec: the compact
// body when it rebuilds exactly rec, else rec itself.
func storedBody(e eventstore.Event, rec []byte) []byte {
	body := encodeCompact(e)
	back, err := rebuildRecord(e.ID[:], e.Stream, e.Version, e.Type, body)
	if err != nil || !bytes.Equal(back, rec) {
		return rec
	}
	return body
}

// encodeCompact returns the compact body of e (without ID, stream, version and type), format 2.
func encodeCompact(e eventstore.Event) []byte {
	m := e.Metadata
	b := make([]byte, 2, 2+binary.MaxVarintLen64+8+len(m.Tenant)+len(m.Actor)+3*40+len(e.Data)+4)
	b[0] = compactFormat2
	flags := byte(0)
	b = binary.AppendUvarint(b, uint64(e.SchemaVersion))
	at := e.RecordedAt.UnixNano()
	if d := at - idTime(e.ID[:]); d > -1<<48 && d < 1<<48 { // a varint of 7 bytes at most
		b = binary.AppendVarint(b, d)
		flags |= flagTimeNearID
	} else {
		b = binary.BigEndian.AppendUint64(b, uint64(at))
	}
	b = appendStr(b, m.Tenant)
	b = appendStr(b, m.Actor)
	if u, ok := canonicalUUID(m.CommandID); ok && [idShared]byte(u[:idShared]) == [idShared]byte(e.ID[:idShared]) {
		b = append(b, u[idShared:]...)
		flags |= flagCommandUUID | flagCommandNearID
	} else {
		b, flags = appendID(b, m.CommandID, flags, flagCommandUUID)
	}
	switch {
	case m.CorrelationID == m.CommandID:
		flags |= flagCorrSame
	default:
		b, flags = appendID(b, m.CorrelationID, flags, flagCorrUUID)
	}
	switch {
	case m.CausationID == m.CommandID:
		flags |= flagCausSame
	default:
		b, flags = appendID(b, m.CausationID, flags, flagCausUUID)
	}
	if packed, ok := packData(e.Data, at, e.ID[:idShared]); ok {
		b[1] = flags | flagDataPacked
		return append(b, packed...)
	}
	b[1] = flags
	return append(b, e.Data...)
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendID appends an ID: 16 bytes (and flag set) when it is a UUID in canonical text.
func appendID(b []byte, id string, flags, flag byte) ([]byte, byte) {
	if u, ok := canonicalUUID(id); ok {
		return append(b, u[:]...), flags | flag
	}
	return appendStr(b, id), flags
}

// canonicalUUID parses s when it is a UUID in canonical text: 36 characters, lower-case hex.
func canonicalUUID[T string | []byte](s T) (uuid.UUID, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return uuid.UUID{}, false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return uuid.UUID{}, false
		}
	}
	u, err := uuid.Parse(string(s))
	return u, err == nil
}

// unescapeUUIDs restores the UUIDs of format 1 data, each written as uuidEscape and its 16 bytes.
func unescapeUUIDs(d []byte) ([]byte, error) {
	out := make([]byte, 0, len(d)+len(d)/2)
	for {
		i := bytes.IndexByte(d, uuidEscape)
		if i < 0 {
			return append(out, d...), nil
		}
		if len(d) < i+17 {
			return nil, fmt.Errorf("%w: truncated UUID in compact data", eventstore.ErrMalformedRecord)
		}
		out = append(out, d[:i]...)
		out = append(out, uuid.UUID(d[i+1:i+17]).String()...)
		d = d[i+17:]
	}
}

// compactReader reads a compact body.
type compactReader struct {
	b   []byte
	err error
}

func (r *compactReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated compact body", eventstore.ErrMalformedRecord)
	}
}

func (r *compactReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *compactReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *compactReader) fixed(n int) []byte {
	if len(r.b) < n {
		r.fail()
		r.b = nil
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *compactReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	return string(r.fixed(int(n)))
}

func (r *compactReader) id(flags, flag byte) string {
	if flags&flag != 0 {
		return uuid.UUID(r.fixed(16)).String()
	}
	return r.str()
}

// decodeCompact rebuilds an event (without position and hash) from its columns and compact body.
func decodeCompact(id []byte, stream string, version int64, typ string, body []byte) (eventstore.Event, error) {
	var e eventstore.Event
	if len(body) < 2 || body[0] == compactFormat && body[1]&^flagAll1 != 0 || body[0] != compactFormat && body[0] != compactFormat2 {
		return e, fmt.Errorf("%w: unknown compact body", eventstore.ErrMalformedRecord)
	}
	if len(id) != len(e.ID) {
		return e, fmt.Errorf("%w: event ID of %d bytes", eventstore.ErrMalformedRecord, len(id))
	}
	flags := body[1]
	r := compactReader{b: body[2:]}
	e.ID, e.Stream, e.Version, e.Type = uuid.UUID(id), stream, version, typ
	e.SchemaVersion = int(r.uvarint())
	if flags&flagTimeNearID != 0 {
		e.RecordedAt = time.Unix(0, idTime(id)+r.varint()).UTC()
	} else {
		e.RecordedAt = time.Unix(0, int64(binary.BigEndian.Uint64(r.fixed(8)))).UTC()
	}
	e.Metadata.Tenant = r.str()
	e.Metadata.Actor = r.str()
	if flags&flagCommandNearID != 0 {
		var u uuid.UUID
		copy(u[:], id[:idShared])
		copy(u[idShared:], r.fixed(16-idShared))
		e.Metadata.CommandID = u.String()
	} else {
		e.Metadata.CommandID = r.id(flags, flagCommandUUID)
	}
	e.Metadata.CorrelationID, e.Metadata.CausationID = e.Metadata.CommandID, e.Metadata.CommandID
	if flags&flagCorrSame == 0 {
		e.Metadata.CorrelationID = r.id(flags, flagCorrUUID)
	}
	if flags&flagCausSame == 0 {
		e.Metadata.CausationID = r.id(flags, flagCausUUID)
	}
	if r.err != nil {
		return eventstore.Event{}, r.err
	}
	e.Data = r.b // the caller's body, which it no longer uses
	if body[0] == compactFormat2 && flags&flagDataPacked != 0 {
		d, err := unpackData(r.b, e.RecordedAt.UnixNano(), id[:idShared])
		if err != nil {
			return eventstore.Event{}, err
		}
		e.Data = d
	} else if flags&flagDataUUIDs != 0 {
		d, err := unescapeUUIDs(r.b)
		if err != nil {
			return eventstore.Event{}, err
		}
		e.Data = d
	}
	return e, nil
}

// rebuildRecord returns the canonical record of a stored row: the body itself when it is raw,
// else the record rebuilt from the columns and the compact body.
func rebuildRecord(id []byte, stream string, version int64, typ string, body []byte) ([]byte, error) {
	if isRaw(body) {
		return body, nil
	}
	e, err := decodeCompact(id, stream, version, typ, body)
	if err != nil {
		return nil, err
	}
	return eventstore.EncodeRecord(e), nil
}

// rowEvent decodes a stored row into an event (with position and hash): a raw body through
// eventstore.DecodeRecord, a compact one from the columns.
func rowEvent(pos int64, id []byte, stream string, version int64, typ string, body, hash []byte) (eventstore.Event, error) {
	if isRaw(body) {
		return decodeRow(pos, body, hash)
	}
	e, err := decodeCompact(id, stream, version, typ, body)
	return placed(e, err, pos, hash)
}

// recordFunc is the SQL function civicflow_record(event_id, stream, version, type, body) that the
// events view uses to show each row's canonical record.
const recordFunc = "civicflow_record"

func init() {
	err := sqlite.RegisterDeterministicScalarFunction(recordFunc, 5, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		id, _ := args[0].([]byte)
		stream, _ := args[1].(string)
		version, _ := args[2].(int64)
		typ, _ := args[3].(string)
		body, _ := args[4].([]byte)
		rec, err := rebuildRecord(id, stream, version, typ, body)
		if err != nil {
			return nil, err
		}
		return rec, nil
	})
	if err != nil {
		panic(err)
	}
}
