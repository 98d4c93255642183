package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/google/uuid"
)

// contribution is an event as the engine records a contribution: the command, correlation and
// causation IDs equal, UUIDs as text in the data.
func contribution() eventstore.Event {
	cmd := "01a2451a-60d5-748d-a2e1-602f885f1c14"
	return eventstore.Event{ID: uuid.MustParse("01a2451a-60d5-782d-8fea-1b3552836a2a"), Stream: "process-01a2451a-1807-7476-9c00-09e5d12c295d",
		Version: 2, Type: "process.contribution_recorded", SchemaVersion: 1, RecordedAt: time.Unix(0, 1_796_000_000_123_456_789).UTC(),
		Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "bench", CorrelationID: cmd, CausationID: cmd, CommandID: cmd},
		Data:     []byte(`{"contribution":"01a2451a-60d5-78e4-a47b-2b75332129f7","topic":"Radweg","plain_text":"Eine sichere Querung","at":"2026-12-05T07:28:06Z"}`)}
}

func TestStoredBody_rebuilds_the_exact_record(t *testing.T) {
	cases := []struct {
		name    string
		change  func(e *eventstore.Event)
		compact bool // stored compact, not raw
	}{
		{"a_contribution", func(*eventstore.Event) {}, true},
		{"ids_that_are_not_uuids", func(e *eventstore.Event) {
			e.Metadata.CommandID, e.Metadata.CorrelationID, e.Metadata.CausationID = "cmd-1", "corr", ""
		}, true},
		{"an_upper_case_uuid_stays_text", func(e *eventstore.Event) {
			e.Metadata.CorrelationID = "01A2451A-60D5-748D-A2E1-602F885F1C14"
			e.Data = []byte(`{"id":"01A2451A-60D5-748D-A2E1-602F885F1C14"}`)
		}, true},
		{"distinct_uuids", func(e *eventstore.Event) {
			e.Metadata.CorrelationID, e.Metadata.CausationID = uuid.NewString(), uuid.NewString()
		}, true},
		{"data_with_the_escape_byte_and_a_uuid", func(e *eventstore.Event) {
			e.Data = append([]byte{0x01, 0x00, 0xff}, []byte(uuid.NewString())...)
		}, true},
		{"uuids_back_to_back_and_at_the_ends", func(e *eventstore.Event) {
			e.Data = []byte(uuid.NewString() + uuid.NewString() + "-" + uuid.NewString())
		}, true},
		{"empty_everything", func(e *eventstore.Event) {
			e.Metadata, e.Data = eventstore.Metadata{}, nil
		}, true},
		{"a_record_at_a_negative_instant", func(e *eventstore.Event) { e.RecordedAt = time.Unix(-5, 0).UTC() }, true},
		{"times_before_and_after_the_record", func(e *eventstore.Event) {
			e.Data = []byte(`{"at":"2026-12-05T07:28:06Z","due":"2027-01-31T23:00:00.5Z","then":"1999-01-01T00:00:00.123456789Z","x":"` + uuid.NewString() + `"}`)
		}, true},
		{"times_go_would_write_otherwise_stay_text", func(e *eventstore.Event) {
			e.Data = []byte(`{"a":"2026-12-05T07:28:06.10Z","b":"2026-12-05T07:28:06+01:00","c":"0001-01-01T00:00:00Z","d":"9999-12-31T23:59:59Z","e":"2026-13-05T07:28:06Z","f":"2026-12-05T07:28:06.1234567891Z"}`)
		}, true},
		{"a_time_at_the_end_without_quotes", func(e *eventstore.Event) { e.Data = []byte(`2026-12-05T07:28:06.000000001Z`) }, true},
		{"data_with_the_time_escape_byte", func(e *eventstore.Event) {
			e.Data = append([]byte(`{"at":"2026-12-05T07:28:06Z"}`), 0x02)
		}, true},
		{"a_command_of_another_millisecond", func(e *eventstore.Event) {
			e.Metadata.CommandID = "01a2451a-60d6-748d-a2e1-602f885f1c14"
		}, true},
		{"an_event_id_that_is_no_uuidv7", func(e *eventstore.Event) { e.ID = uuid.New() }, true},
		{"recorded_long_after_the_id", func(e *eventstore.Event) { e.RecordedAt = e.RecordedAt.Add(24 * 365 * 100 * time.Hour) }, true},
		{"a_derived_event_id", func(e *eventstore.Event) { e.ID = eventstore.CommandEventID(e.Stream, e.Metadata.CommandID, 3) }, true},
		{"a_large_payload", func(e *eventstore.Event) {
			e.Data = bytes.Repeat([]byte(`{"stage":"tender","title":"Radweg","at":"2026-12-05T07:28:06Z"},`), 500)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := contribution()
			tc.change(&e)
			rec := eventstore.EncodeRecord(e)
			body := sqlite.StoredBody(e, rec)
			if sqlite.IsRaw(body) == tc.compact {
				t.Fatalf("raw = %v, want compact = %v", sqlite.IsRaw(body), tc.compact)
			}
			back, err := sqlite.RebuildRecord(e.ID[:], e.Stream, e.Version, e.Type, body)
			if err != nil || !bytes.Equal(back, rec) {
				t.Fatalf("rebuilt %q, %v; want %q", back, err, rec)
			}
		})
	}
	t.Run("a_contribution_takes_less_than_half", func(t *testing.T) {
		e := contribution()
		rec := eventstore.EncodeRecord(e)
		if body := sqlite.StoredBody(e, rec); 2*len(body) > len(rec) {
			t.Fatalf("body of %d bytes for a record of %d", len(body), len(rec))
		}
	})
	t.Run("a_contribution_takes_under_110_bytes", func(t *testing.T) {
		e := contribution()
		if body := sqlite.StoredBody(e, eventstore.EncodeRecord(e)); len(body) >= 110 {
			t.Fatalf("body of %d bytes, want under 110 (the data's field names, UUID and time packed, IDs and time near the event ID's)", len(body))
		}
	})
	t.Run("a_record_the_body_would_not_rebuild_is_stored_raw", func(t *testing.T) {
		e := contribution()
		other := e
		other.Data = []byte(`{}`)
		rec := eventstore.EncodeRecord(other) // not the record of e
		if body := sqlite.StoredBody(e, rec); !bytes.Equal(body, rec) {
			t.Fatalf("stored %q, want the record itself", body)
		}
	})
}

// TestRebuildRecord_reads_format_1: bodies as migration 8's release wrote them (the data's UUIDs
// escaped in place, no packing) still rebuild their exact records.
func TestRebuildRecord_reads_format_1(t *testing.T) {
	for name, data := range map[string]string{
		"a_contribution":  string(contribution().Data),
		"no_uuid":         `{"stage":"tender"}`,
		"the_escape_byte": "\x01" + uuid.NewString(),
		"empty":           "",
	} {
		t.Run(name, func(t *testing.T) {
			e := contribution()
			e.Data = []byte(data)
			body := sqlite.EncodeCompactV1(e)
			if body[0] != 0x01 {
				t.Fatalf("format %d", body[0])
			}
			back, err := sqlite.RebuildRecord(e.ID[:], e.Stream, e.Version, e.Type, body)
			if rec := eventstore.EncodeRecord(e); err != nil || !bytes.Equal(back, rec) {
				t.Fatalf("rebuilt %q, %v; want %q", back, err, rec)
			}
		})
	}
}

// TestPackFields_are_stable: the field names that format 2 bodies refer to by number never
// change (a change would make stored bodies rebuild other records); new names need a new format.
func TestPackFields_are_stable(t *testing.T) {
	const want = "2ce2b9828f5cd3dbc7201c81f0d346a265e85f57e6e5de20a829369751690648"
	if got := sqlite.PackFieldsSum(); got != want {
		t.Fatalf("the packed data's field names have SHA-256 %s, want %s: add a body format instead of changing them", got, want)
	}
}

func TestRebuildRecord_refuses_damaged_bodies(t *testing.T) {
	e := contribution()
	body := sqlite.StoredBody(e, eventstore.EncodeRecord(e))
	for name, b := range map[string][]byte{
		"truncated":       body[:10],
		"unknown_flags":   append([]byte{body[0], 0xff}, body[2:]...),
		"a_cut_uuid":      append(body[:len(body):len(body)], 0x01, 0x02),
		"only_the_format": body[:1],
		"an_unknown_name": append(body[:len(body):len(body)], 0x1f, 0xff),
		"a_cut_time":      append(body[:len(body):len(body)], 0x02),
		"a_zero_byte":     append(body[:len(body):len(body)], 0x00),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sqlite.RebuildRecord(e.ID[:], e.Stream, e.Version, e.Type, b); !errors.Is(err, eventstore.ErrMalformedRecord) {
				t.Fatalf("got %v, want ErrMalformedRecord", err)
			}
		})
	}
}

// FuzzCompactRecord: every event's stored body rebuilds its exact record, and no body makes the
// decoder panic.
func FuzzCompactRecord(f *testing.F) {
	c := contribution()
	f.Add(c.Stream, c.Type, c.Metadata.Tenant, c.Metadata.Actor, c.Metadata.CommandID, c.Metadata.CorrelationID, c.Metadata.CausationID, c.Data, int64(3), 1, c.RecordedAt.UnixNano())
	f.Add("s", "t", "", "", "", "x", "", []byte{1, 2, 3}, int64(1), 7, int64(-1))
	f.Add("s", "t", "", "", "", "", "", []byte(`{"at":"2026-12-05T07:28:06.5Z","b":"0001-01-01T00:00:00Z"}`), int64(1), 1, int64(9e18))
	f.Add("s", "t", "", "", "", "", "", []byte{0x02, 0x20, 0x00, 0x05, 0xff}, int64(1), 1, int64(0))
	f.Fuzz(func(t *testing.T, stream, typ, tenant, actor, cmd, corr, caus string, data []byte, version int64, schema int, nanos int64) {
		id := uuid.New()
		if version%2 == 0 { // as the engine derives it: the command's time, if a UUIDv7
			id = eventstore.CommandEventID(stream, cmd, int(version%5))
		}
		e := eventstore.Event{ID: id, Stream: stream, Version: version, Type: typ, SchemaVersion: schema,
			RecordedAt: time.Unix(0, nanos).UTC(), Data: data,
			Metadata: eventstore.Metadata{Tenant: tenant, Actor: actor, CommandID: cmd, CorrelationID: corr, CausationID: caus}}
		rec := eventstore.EncodeRecord(e)
		body := sqlite.StoredBody(e, rec)
		back, err := sqlite.RebuildRecord(e.ID[:], stream, version, typ, body)
		if err != nil || !bytes.Equal(back, rec) {
			t.Fatalf("rebuilt %q, %v; want %q", back, err, rec)
		}
		if v1 := sqlite.EncodeCompactV1(e); !sqlite.IsRaw(v1) {
			if back, err := sqlite.RebuildRecord(e.ID[:], stream, version, typ, v1); err != nil || !bytes.Equal(back, rec) {
				t.Fatalf("format 1: rebuilt %q, %v; want %q", back, err, rec)
			}
		}
		for _, format := range []byte{0x01, 0x02} { // must not panic
			sqlite.RebuildRecord(e.ID[:], stream, version, typ, append([]byte{format}, data...))
		}
	})
}

// TestEventsView_shows_each_canonical_record: the events view (for tools and tests) shows the
// same record and hash that the store reads, and the hashes chain.
func TestEventsView_shows_each_canonical_record(t *testing.T) {
	path := filepath.Join(t.TempDir(), "view.db")
	s := open(t, sqlite.Config{Path: path})
	ctx := context.Background()
	for i := range 6 {
		e := benchEvent()
		e.Metadata.CommandID = uuid.NewString()
		e.Metadata.CorrelationID = e.Metadata.CommandID
		if i%2 == 1 {
			e.Metadata.CausationID = "not-a-uuid"
		}
		if _, err := s.Append(ctx, []string{"process-a", "token-b"}[i%2], eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	events, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT position, stream, version, type, record, hash FROM events ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prev := map[string]eventstore.Hash{}
	i := 0
	for ; rows.Next(); i++ {
		var pos, version int64
		var stream, typ string
		var record, hash []byte
		if err := rows.Scan(&pos, &stream, &version, &typ, &record, &hash); err != nil {
			t.Fatal(err)
		}
		e := events[i]
		if want := eventstore.EncodeRecord(e); !bytes.Equal(record, want) || stream != e.Stream || version != e.Version || typ != e.Type {
			t.Fatalf("position %d: view shows %s %d %s %q, the store reads %+v", pos, stream, version, typ, record, e)
		}
		if h := eventstore.ChainHash(prev[stream], record); !bytes.Equal(hash, h[:]) || !bytes.Equal(hash, e.Hash[:]) {
			t.Fatalf("position %d: hash does not chain", pos)
		}
		prev[stream] = e.Hash
	}
	if i != len(events) {
		t.Fatalf("view shows %d events, the store %d", i, len(events))
	}
}

// TestRebuildRecord_reads_bodies_of_format_1_as_stored: two rows of one stream as the writer of
// migration 8's release stored them (a store of BenchmarkHistory), with their stored chain hashes:
// today's code rebuilds records whose hashes chain to exactly those.
func TestRebuildRecord_reads_bodies_of_format_1_as_stored(t *testing.T) {
	const stream = "process-01a245f1-6018-762d-be52-719d40a748f7"
	rows := []struct{ id, typ, body, hash string }{
		{"01A245F16018701E87576A86B96EBBFB", "process.opened",
			"01070118EE57BE5898EE59076C6569707A69670562656E636801A245F160187631B0FD7C7CA82FE9C57B2274656D706C6174655F6964223A2262657465696C6967756E672D7374616E64617264222C2274656D706C6174655F76657273696F6E223A312C2274656D706C6174655F68617368223A2266336366376130636163643635393037333638383535386261333163343135346433373066653366323463353033376632386239303135623731373130373639222C227469746C65223A225665726C617566203135222C2274656E616E74223A226C6569707A6967222C226C656164223A2262656E6368222C227374616765223A2274656E646572222C226174223A22323032362D31322D30355431313A32323A35362E3430383430353438355A227D",
			"402E164488B51B5E2F4A25D83F8EEC5EB05BDBC27FB0B0241F9F2FFA330510CE"},
		{"01A245F225B1733F8D8C3A7561738243", "process.contribution_recorded",
			"01270118EE57CA1FBD6ECF076C6569707A69670562656E636801A245F225B17B53AC976E009EC3AD767B22636F6E747269627574696F6E223A220101A245F225B17BAA85AAD1EB84AF7201222C22746F706963223A22526164776567222C22706C61696E5F74657874223A2245696E6520736963686572652051756572756E6720766F7220646572204772756E64736368756C65222C227374616765223A2274656E646572222C226174223A22323032362D31322D30355431313A32333A34362E3939333734323131345A227D",
			"0225EA8CB7ABDC4D0EC3118E6CA8B94561439F9D7DC70C0699C8678E6A1D44C4"},
	}
	var prev eventstore.Hash
	for i, r := range rows {
		id, _ := hex.DecodeString(r.id)
		body, _ := hex.DecodeString(r.body)
		rec, err := sqlite.RebuildRecord(id, stream, int64(i+1), r.typ, body)
		if err != nil {
			t.Fatalf("version %d: %v", i+1, err)
		}
		h := eventstore.ChainHash(prev, rec)
		if got := strings.ToUpper(h.String()); got != r.hash {
			t.Fatalf("version %d: chain hash %s, stored %s", i+1, got, r.hash)
		}
		e, err := eventstore.DecodeRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		if again := sqlite.StoredBody(e, rec); sqlite.IsRaw(again) || again[0] != 0x02 || len(again) >= len(body) {
			t.Fatalf("version %d: stored again as %d bytes of format %#x, want format 2 under %d", i+1, len(again), again[0], len(body))
		}
		prev = h
	}
}
