package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// recordMagic starts every record: "CFR" and the record format version.
var recordMagic = [4]byte{'C', 'F', 'R', 1}

// chainDomain separates chain hashes from any other SHA-256 use.
const chainDomain = "civicflow/chain/v1\x00"

// maxRecordField bounds one length-prefixed field of a record while decoding.
const maxRecordField = 64 << 20

// ErrMalformedRecord means bytes are not a record written by EncodeRecord.
var ErrMalformedRecord = errors.New("eventstore: malformed record")

// EncodeRecord returns the canonical bytes of an event: ID, stream, version, type, schema
// version, recorded-at, metadata and data, each length-prefixed. Position and Hash are not part of
// the record (the position is assigned by the log; the hash covers the record). Stores keep these
// bytes, and the chain hash covers exactly them, so encrypted personal data is covered as stored.
func EncodeRecord(e Event) []byte {
	size := 4 + 16 + 8 + 4*binary.MaxVarintLen64 + len(e.Stream) + len(e.Type) + len(e.Data) + 5*binary.MaxVarintLen64 + metadataSize(e.Metadata) + 2*binary.MaxVarintLen64
	b := make([]byte, 0, size)
	b = append(b, recordMagic[:]...)
	b = append(b, e.ID[:]...)
	b = appendString(b, e.Stream)
	b = binary.AppendUvarint(b, uint64(e.Version))
	b = appendString(b, e.Type)
	b = binary.AppendUvarint(b, uint64(e.SchemaVersion))
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	for _, f := range metadataFields(e.Metadata) {
		b = appendString(b, f.value)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Data)))
	return append(b, e.Data...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeRecord parses bytes written by EncodeRecord. The result has no Position and no Hash. It
// accepts only the canonical form, so EncodeRecord(DecodeRecord(b)) == b for every accepted b.
// The event's Data is a slice of b; its strings are one copy of b.
func DecodeRecord(b []byte) (Event, error) {
	l, err := parseRecord(b)
	if err != nil {
		return Event{}, err
	}
	// One string holds the whole record, so every string field is a slice of it: one allocation.
	return l.event(string(b), 0, b[l.data.start:l.data.end:l.data.end]), nil
}

// recordLayout is where the fields of a record lie in its bytes, and its fixed-size fields.
type recordLayout struct {
	id            uuid.UUID
	version       int64
	schemaVersion int
	recordedAt    int64 // Unix nanoseconds
	stream, typ   span
	metadata      [5]span // tenant, actor, correlation ID, causation ID, command ID
	data          span
}

// span is the bytes [start, end) of a record.
type span struct{ start, end int }

// text is the part of the record that holds every string field: from the stream's first byte to
// the metadata's last.
func (l *recordLayout) text() span { return span{l.stream.start, l.metadata[4].end} }

// event builds the event: its string fields are slices of text, a string that holds the record's
// bytes from offset on; data is its payload.
func (l *recordLayout) event(text string, offset int, data []byte) Event {
	str := func(s span) string { return text[s.start-offset : s.end-offset] }
	return Event{ID: l.id, Stream: str(l.stream), Version: l.version, Type: str(l.typ), SchemaVersion: l.schemaVersion,
		RecordedAt: time.Unix(0, l.recordedAt).UTC(), Data: data,
		Metadata: Metadata{Tenant: str(l.metadata[0]), Actor: str(l.metadata[1]), CorrelationID: str(l.metadata[2]),
			CausationID: str(l.metadata[3]), CommandID: str(l.metadata[4])}}
}

// parseRecord checks that b is a record in canonical form and returns where its fields lie.
func parseRecord(b []byte) (recordLayout, error) {
	d := decoder{b: b}
	var l recordLayout
	if magic := d.fixed(4); d.err == nil && [4]byte(magic) != recordMagic {
		return l, fmt.Errorf("%w: unknown format %q", ErrMalformedRecord, magic)
	}
	copy(l.id[:], d.fixed(16))
	l.stream = d.field()
	l.version = int64(d.uvarint())
	l.typ = d.field()
	l.schemaVersion = int(d.uvarint())
	l.recordedAt = int64(binary.BigEndian.Uint64(pad8(d.fixed(8))))
	for i := range l.metadata {
		l.metadata[i] = d.field()
	}
	l.data = d.field()
	switch {
	case d.err != nil:
		return recordLayout{}, d.err
	case d.off != len(b):
		return recordLayout{}, fmt.Errorf("%w: %d trailing bytes", ErrMalformedRecord, len(b)-d.off)
	case l.version < 1 || l.version > 1<<62:
		return recordLayout{}, fmt.Errorf("%w: version %d out of range", ErrMalformedRecord, l.version)
	case l.schemaVersion < 1 || l.schemaVersion > 1<<30:
		return recordLayout{}, fmt.Errorf("%w: schema version %d out of range", ErrMalformedRecord, l.schemaVersion)
	case l.stream.start == l.stream.end || l.typ.start == l.typ.end:
		return recordLayout{}, fmt.Errorf("%w: empty stream or type", ErrMalformedRecord)
	case l.id == uuid.Nil:
		return recordLayout{}, fmt.Errorf("%w: nil event ID", ErrMalformedRecord)
	}
	return l, nil
}

func pad8(b []byte) []byte {
	if len(b) == 8 {
		return b
	}
	return make([]byte, 8)
}

type decoder struct {
	b   []byte // the whole record
	off int    // where the rest of the record starts in b
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformedRecord, what)
	}
}

func (d *decoder) fixed(n int) []byte {
	if d.err != nil || len(d.b)-d.off < n {
		d.fail("truncated")
		return make([]byte, n)
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	rest := d.b[d.off:]
	v, n := binary.Uvarint(rest)
	if n <= 0 {
		d.fail("bad length or number")
		return 0
	}
	if n > 1 && rest[n-1] == 0 { // a trailing zero group: longer than needed
		d.fail("number not in canonical form")
		return 0
	}
	d.off += n
	return v
}

// field reads a length-prefixed field and returns where its bytes lie.
func (d *decoder) field() span {
	n := d.uvarint()
	if d.err != nil {
		return span{d.off, d.off}
	}
	if n > maxRecordField || n > uint64(len(d.b)-d.off) {
		d.fail("field longer than the record")
		return span{d.off, d.off}
	}
	s := span{d.off, d.off + int(n)}
	d.off = s.end
	return s
}

// ChainHash returns the hash of a record that follows prev in its stream (the zero Hash for a
// stream's first event): SHA-256 over a domain separator, prev and the record bytes.
func ChainHash(prev Hash, record []byte) Hash {
	h := sha256.New()
	h.Write([]byte(chainDomain))
	h.Write(prev[:])
	h.Write(record)
	var out Hash
	h.Sum(out[:0])
	return out
}
