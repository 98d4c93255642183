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
func DecodeRecord(b []byte) (Event, error) {
	// One string holds the whole record, so every string field is a slice of it: one allocation.
	d := decoder{b: b, s: string(b)}
	var e Event
	if magic := d.fixed(4); d.err == nil && [4]byte(magic) != recordMagic {
		return e, fmt.Errorf("%w: unknown format %q", ErrMalformedRecord, magic)
	}
	copy(e.ID[:], d.fixed(16))
	e.Stream = d.str()
	e.Version = int64(d.uvarint())
	e.Type = d.str()
	e.SchemaVersion = int(d.uvarint())
	e.RecordedAt = time.Unix(0, int64(binary.BigEndian.Uint64(pad8(d.fixed(8))))).UTC()
	e.Metadata.Tenant = d.str()
	e.Metadata.Actor = d.str()
	e.Metadata.CorrelationID = d.str()
	e.Metadata.CausationID = d.str()
	e.Metadata.CommandID = d.str()
	e.Data = d.bytes()
	switch {
	case d.err != nil:
		return Event{}, d.err
	case len(d.b) != 0:
		return Event{}, fmt.Errorf("%w: %d trailing bytes", ErrMalformedRecord, len(d.b))
	case e.Version < 1 || e.Version > 1<<62:
		return Event{}, fmt.Errorf("%w: version %d out of range", ErrMalformedRecord, e.Version)
	case e.SchemaVersion < 1 || e.SchemaVersion > 1<<30:
		return Event{}, fmt.Errorf("%w: schema version %d out of range", ErrMalformedRecord, e.SchemaVersion)
	case e.Stream == "" || e.Type == "":
		return Event{}, fmt.Errorf("%w: empty stream or type", ErrMalformedRecord)
	case e.ID == uuid.Nil:
		return Event{}, fmt.Errorf("%w: nil event ID", ErrMalformedRecord)
	}
	return e, nil
}

func pad8(b []byte) []byte {
	if len(b) == 8 {
		return b
	}
	return make([]byte, 8)
}

type decoder struct {
	b   []byte // what is left to decode
	s   string // the whole record, as a string
	err error
}

// offset is where the rest of the record starts in s.
func (d *decoder) offset() int { return len(d.s) - len(d.b) }

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformedRecord, what)
	}
}

func (d *decoder) fixed(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.fail("truncated")
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length or number")
		return 0
	}
	if n > 1 && d.b[n-1] == 0 { // a trailing zero group: longer than needed
		d.fail("number not in canonical form")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > maxRecordField || n > uint64(len(d.b)) {
		d.fail("field longer than the record")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	v := d.bytes()
	if d.err != nil {
		return ""
	}
	end := d.offset()
	return d.s[end-len(v) : end]
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
