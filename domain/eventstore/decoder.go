package eventstore

import (
	"fmt"
	"strings"
)

// decoderSlab is the size of the buffers a RecordDecoder copies into.
const decoderSlab = 64 << 10

// RecordDecoder decodes records as DecodeRecord does, for a reader that decodes many records from a
// buffer it reuses (a database driver's row buffer): the events keep no reference to the bytes
// they were decoded from. It copies each record's string fields into a shared string buffer and
// its payload into a shared byte buffer, so a page of events costs a few allocations of
// decoderSlab bytes instead of one or two per event. A full buffer is left to the events that
// share it (an event keeps its buffer alive). The zero value is ready for use; a RecordDecoder must
// not be copied after first use and is not safe for concurrent use.
type RecordDecoder struct {
	text strings.Builder // the events' string fields; written only at its end, so earlier strings stay valid
	data []byte          // the events' payloads (each a capped slice, so an append to one cannot reach the next)
}

// Decode parses b as DecodeRecord does; the event does not refer to b.
func (d *RecordDecoder) Decode(b []byte) (Event, error) {
	l, err := parseRecord(b)
	if err != nil {
		return Event{}, err
	}
	t := l.text()
	if n := t.end - t.start; d.text.Cap()-d.text.Len() < n {
		d.text = strings.Builder{} // the full buffer stays with its events' strings
		d.text.Grow(max(decoderSlab, n))
	}
	d.text.Write(b[t.start:t.end])
	text := d.text.String()
	text = text[len(text)-(t.end-t.start):]
	payload := b[l.data.start:l.data.end]
	if d.data == nil || cap(d.data)-len(d.data) < len(payload) {
		d.data = make([]byte, 0, max(decoderSlab, len(payload)))
	}
	start := len(d.data)
	d.data = append(d.data, payload...)
	return l.event(text, t.start, d.data[start:len(d.data):len(d.data)]), nil
}

// EventWith decodes the row's record with d (so the event keeps no reference to r.Record) and
// attaches its position and hash, as Event does.
func (r StoredRow) EventWith(d *RecordDecoder) (Event, error) {
	return r.event(d.Decode)
}

// event decodes the row's record with decode and attaches its position and hash.
func (r StoredRow) event(decode func([]byte) (Event, error)) (Event, error) {
	e, err := decode(r.Record)
	if err != nil {
		return Event{}, fmt.Errorf("event at position %s: %w", r.Position, err)
	}
	if len(r.Hash) != len(e.Hash) {
		return Event{}, fmt.Errorf("event at position %s: stored hash has %d bytes, not %d", r.Position, len(r.Hash), len(e.Hash))
	}
	copy(e.Hash[:], r.Hash)
	e.Position = r.Position
	return e, nil
}
