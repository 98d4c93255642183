package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/esdb"
)

func TestRevision_maps_expected_versions(t *testing.T) {
	cases := []struct {
		name     string
		expected eventstore.ExpectedVersion
		want     client.ExpectedRevision
	}{
		{"any_is_any", eventstore.Any, client.Any{}},
		{"no_stream_is_no_stream", eventstore.NoStream, client.NoStream{}},
		{"stream_exists_is_stream_exists", eventstore.StreamExists, client.StreamExists{}},
		{"exact_zero_is_no_stream", eventstore.Exact(0), client.NoStream{}},
		{"exact_one_is_revision_zero", eventstore.Exact(1), client.StreamRevision{Value: 0}},
		{"exact_forty_two_is_revision_forty_one", eventstore.Exact(42), client.StreamRevision{Value: 41}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := esdb.Revision(tc.expected); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("revision(%v) = %#v, want %#v", tc.expected, got, tc.want)
			}
		})
	}
}

// recorded makes what the server would return for proposed events appended to stream from
// revision 0 on, at increasing positions.
func recorded(stream string, proposed []client.EventData) []*client.RecordedEvent {
	out := make([]*client.RecordedEvent, len(proposed))
	for i, p := range proposed {
		out[i] = &client.RecordedEvent{EventID: p.EventID, EventType: p.EventType, StreamID: stream,
			EventNumber: uint64(i), Position: client.Position{Commit: uint64(100 * (i + 1)), Prepare: uint64(100 * (i + 1))},
			Data: p.Data, UserMetadata: p.Metadata, CreatedDate: time.Now()}
	}
	return out
}

func propose(t *testing.T, stream string, n int) []client.EventData {
	t.Helper()
	at := time.Date(2025, 3, 1, 11, 0, 0, 123456789, time.UTC)
	var prev eventstore.Hash
	out := make([]client.EventData, n)
	for i := range out {
		e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.task_completed", SchemaVersion: 2,
			Data:     fmt.Appendf(nil, `{"n":%d}`, i),
			Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna", CorrelationID: "c", CausationID: "d", CommandID: "e"}}
		var err error
		out[i], prev, err = esdb.ToProposed(stream, int64(i+1), e, at, prev)
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestEnvelope_round_trip_keeps_the_chain(t *testing.T) {
	recs := recorded("process-1", propose(t, "process-1", 3))
	chain := eventstore.NewChainVerifier()
	for i, r := range recs {
		e, err := esdb.FromRecorded(r)
		if err != nil {
			t.Fatal(err)
		}
		if e.Version != int64(i+1) || e.SchemaVersion != 2 || e.Metadata.Actor != "anna" || e.Metadata.CommandID != "e" {
			t.Fatalf("event %d came back as %+v", i, e)
		}
		if want := eventstore.NewPosition(uint64(100*(i+1)), uint64(100*(i+1))); e.Position != want {
			t.Fatalf("position %v, want %v", e.Position, want)
		}
		if err := chain.Check(e); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
}

func TestEnvelope_changed_data_breaks_the_chain_at_its_version(t *testing.T) {
	recs := recorded("process-1", propose(t, "process-1", 3))
	recs[1].Data = []byte(`{"n":9}`)
	chain := eventstore.NewChainVerifier()
	var err error
	for _, r := range recs {
		e, ferr := esdb.FromRecorded(r)
		if ferr != nil {
			t.Fatal(ferr)
		}
		if err = chain.Check(e); err != nil {
			break
		}
	}
	var ie *eventstore.IntegrityError
	if !errors.As(err, &ie) || ie.Version != 2 || ie.Stream != "process-1" {
		t.Fatalf("got %v, want an integrity error at process-1 version 2", err)
	}
}

func TestEnvelope_passes_over_system_and_foreign_events(t *testing.T) {
	for name, r := range map[string]*client.RecordedEvent{
		"system_event":     {EventType: "$statsCollected", UserMetadata: []byte(`{"civicflow":1}`)},
		"no_metadata":      {EventType: "order.placed"},
		"foreign_metadata": {EventType: "order.placed", UserMetadata: []byte(`{"$correlationId":"x"}`)},
		"not_json":         {EventType: "order.placed", UserMetadata: []byte(`xyz`)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := esdb.FromRecorded(r); !errors.Is(err, esdb.ErrForeign) {
				t.Fatalf("got %v, want it passed over", err)
			}
		})
	}
}

func TestEnvelope_a_bad_hash_is_an_integrity_error(t *testing.T) {
	r := recorded("process-1", propose(t, "process-1", 1))[0]
	r.UserMetadata = []byte(`{"civicflow":1,"schema_version":1,"recorded_at":1,"hash":"zz"}`)
	var ie *eventstore.IntegrityError
	if _, err := esdb.FromRecorded(r); !errors.As(err, &ie) || ie.Stream != "process-1" {
		t.Fatalf("got %v, want an integrity error naming the stream", err)
	}
}

func TestTranslate_wraps_other_errors_with_the_operation(t *testing.T) {
	err := esdb.Translate("append to process-1", context.DeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, esdb.ErrConflict) {
		t.Fatalf("got %v", err)
	}
	if esdb.Translate("x", nil) != nil {
		t.Fatal("nil error translated to non-nil")
	}
}

func TestServerFilter_prefixes_go_to_the_server(t *testing.T) {
	f := esdb.ServerFilter(eventstore.Filter{StreamPrefixes: []string{"process-"}, EventTypes: []string{"process.opened"}})
	if f.Type != client.StreamFilterType || !reflect.DeepEqual(f.Prefixes, []string{"process-"}) {
		t.Fatalf("filter %+v", f)
	}
	if f := esdb.ServerFilter(eventstore.Filter{}); f.Type != client.EventFilterType {
		t.Fatalf("empty filter %+v, want system events excluded", f)
	}
}

func TestConfig_names_every_problem(t *testing.T) {
	_, err := esdb.New(context.Background(), esdb.Config{MaxEventBytes: -1, MaxRetries: -2, FindIndexIDs: -2})
	for _, want := range []string{"URL", "MaxEventBytes", "MaxRetries", "FindIndexIDs"} {
		if err == nil || !containsField(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func containsField(s, field string) bool { return strings.Contains(s, "esdb: "+field+":") }
