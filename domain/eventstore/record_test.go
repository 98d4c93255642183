package eventstore_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

func sampleEvent() eventstore.Event {
	return eventstore.Event{
		ID:            uuid.MustParse("0193c3a5-7c1e-7d4b-9a5e-2f6b8c1d0e9f"),
		Stream:        "process-0193c3a5",
		Version:       7,
		Type:          "process.stage_completed",
		SchemaVersion: 2,
		Data:          []byte(`{"stage":"tender","note":"Ausschreibung veröffentlicht"}`),
		Metadata:      eventstore.Metadata{Tenant: "leipzig", Actor: "anna", CorrelationID: "c", CausationID: "d", CommandID: "e"},
		RecordedAt:    time.Date(2025, 3, 1, 11, 0, 0, 5, time.UTC),
	}
}

func TestRecord_round_trips(t *testing.T) {
	e := sampleEvent()
	b := eventstore.EncodeRecord(e)
	got, err := eventstore.DecodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != e.ID || got.Stream != e.Stream || got.Version != e.Version || got.Type != e.Type ||
		got.SchemaVersion != e.SchemaVersion || !bytes.Equal(got.Data, e.Data) || got.Metadata != e.Metadata ||
		!got.RecordedAt.Equal(e.RecordedAt) {
		t.Fatalf("decoded %+v, want %+v", got, e)
	}
	if !bytes.Equal(eventstore.EncodeRecord(got), b) {
		t.Fatal("re-encoding the decoded record changed its bytes")
	}
}

// TestRecord_format_is_stable pins the record bytes and chain hash of one event: a change to the
// encoding would break every stored chain, so it must fail here first.
func TestRecord_format_is_stable(t *testing.T) {
	b := eventstore.EncodeRecord(sampleEvent())
	const wantHash = "ba7dab986865d0fc9c91d6136e68d534ca3569b2427511de24c22c0c0d6affce"
	got := eventstore.ChainHash(eventstore.Hash{}, b).String()
	if got != wantHash {
		t.Fatalf("chain hash of the sample record is %s, want %s (did the record format change?)", got, wantHash)
	}
}

func TestDecodeRecord_rejects_malformed_bytes(t *testing.T) {
	good := eventstore.EncodeRecord(sampleEvent())
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown_format", append([]byte("ABC\x01"), good[4:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing_bytes", append(append([]byte{}, good...), 0)},
		{"overlong_length", append(append(append([]byte{}, good[:20]...), 0x90, 0x00), good[21:]...)},
		{"huge_length", append(append([]byte{}, good[:20]...), 0xff, 0xff, 0xff, 0xff, 0x0f)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := eventstore.DecodeRecord(tc.b); !errors.Is(err, eventstore.ErrMalformedRecord) {
				t.Fatalf("err %v, want ErrMalformedRecord", err)
			}
		})
	}
}

// FuzzDecodeRecord checks that decoding stored bytes never panics and that whatever it accepts is
// canonical: encoding the result gives back the same bytes, so the chain hash is well defined.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(eventstore.EncodeRecord(sampleEvent()))
	e := sampleEvent()
	e.Data, e.Metadata = []byte(`{}`), eventstore.Metadata{}
	f.Add(eventstore.EncodeRecord(e))
	f.Add([]byte("CFR\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := eventstore.DecodeRecord(b)
		var d eventstore.RecordDecoder
		if other, otherErr := d.Decode(b); (err == nil) != (otherErr == nil) || !reflect.DeepEqual(other, got) {
			t.Fatalf("RecordDecoder decoded %+v (%v), DecodeRecord %+v (%v)", other, otherErr, got, err)
		}
		if err != nil {
			return
		}
		if again := eventstore.EncodeRecord(got); !bytes.Equal(again, b) {
			t.Fatalf("accepted non-canonical record:\n in  %x\n out %x", b, again)
		}
	})
}

// TestRecordDecoder_decodes_as_DecodeRecord_without_keeping_the_bytes decodes enough records to fill
// several of the decoder's buffers, overwriting the input after each call (as a driver reuses its
// row buffer): every event must still equal what DecodeRecord made of the same bytes.
func TestRecordDecoder_decodes_as_DecodeRecord_without_keeping_the_bytes(t *testing.T) {
	var d eventstore.RecordDecoder
	var want, got []eventstore.Event
	buf := make([]byte, 0, 1<<20)
	for i := range 2000 {
		e := sampleEvent()
		e.Version = int64(i + 1)
		e.Data = bytes.Repeat([]byte{byte('a' + i%26)}, i%300) // 0 to 299 bytes, some empty
		e.Metadata.Actor = strings.Repeat("x", i%40)
		if i == 1000 {
			e.Data = bytes.Repeat([]byte("y"), 100_000) // larger than a buffer
		}
		rec := eventstore.EncodeRecord(e)
		w, err := eventstore.DecodeRecord(bytes.Clone(rec))
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf[:0], rec...)
		g, err := d.Decode(buf)
		if err != nil {
			t.Fatal(err)
		}
		for j := range buf {
			buf[j] = 0xee
		}
		want, got = append(want, w), append(got, g)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("event %d: decoded %+v, want %+v", i, got[i], want[i])
		}
	}
	got[0].Data = append(got[0].Data, 'z') // a capped slice: must not write into the next payload
	if !bytes.Equal(got[1].Data, want[1].Data) {
		t.Fatal("appending to one event's data changed the next event's")
	}
}

func TestRecordDecoder_rejects_what_DecodeRecord_rejects(t *testing.T) {
	good := eventstore.EncodeRecord(sampleEvent())
	var d eventstore.RecordDecoder
	for _, b := range [][]byte{nil, good[:len(good)-1], append(append([]byte{}, good...), 0), append([]byte("ABC\x01"), good[4:]...)} {
		if _, err := d.Decode(b); !errors.Is(err, eventstore.ErrMalformedRecord) {
			t.Fatalf("Decode(%x): err %v, want ErrMalformedRecord", b, err)
		}
	}
}
