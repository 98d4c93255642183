package eventstore_test

import (
	"errors"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
)

func TestExpectedVersion_allows(t *testing.T) {
	cases := []struct {
		name     string
		expected eventstore.ExpectedVersion
		current  int64
		want     bool
	}{
		{"any_without_stream", eventstore.Any, 0, true},
		{"any_with_stream", eventstore.Any, 3, true},
		{"no_stream_without_stream", eventstore.NoStream, 0, true},
		{"no_stream_with_stream", eventstore.NoStream, 1, false},
		{"stream_exists_without_stream", eventstore.StreamExists, 0, false},
		{"stream_exists_with_stream", eventstore.StreamExists, 1, true},
		{"exact_zero_is_no_stream", eventstore.Exact(0), 0, true},
		{"exact_match", eventstore.Exact(3), 3, true},
		{"exact_behind", eventstore.Exact(2), 3, false},
		{"exact_ahead", eventstore.Exact(4), 3, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.expected.Allows(tc.current); got != tc.want {
				t.Fatalf("%s.Allows(%d) = %v, want %v", tc.expected, tc.current, got, tc.want)
			}
		})
	}
}

func TestPosition_survives_string_round_trip_and_orders(t *testing.T) {
	cases := []eventstore.Position{eventstore.Start, eventstore.SequencePosition(42), eventstore.NewPosition(7, 3)}
	for _, p := range cases {
		t.Run(p.String(), func(t *testing.T) {
			got, err := eventstore.ParsePosition(p.String())
			if err != nil || got != p {
				t.Fatalf("ParsePosition(%q) = %v, %v", p.String(), got, err)
			}
		})
	}
	if eventstore.SequencePosition(2).Compare(eventstore.SequencePosition(10)) != -1 ||
		eventstore.NewPosition(5, 9).Compare(eventstore.NewPosition(5, 2)) != 1 ||
		eventstore.SequencePosition(4).Compare(eventstore.SequencePosition(4)) != 0 {
		t.Fatal("Compare orders positions wrongly")
	}
	for _, bad := range []string{"", "x", "1:", "-1", "1:2:3"} {
		if _, err := eventstore.ParsePosition(bad); err == nil {
			t.Errorf("ParsePosition(%q) accepted a bad position", bad)
		}
	}
}

func TestValidateAppend_compacts_data_and_names_bad_fields(t *testing.T) {
	e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "process.opened", SchemaVersion: 1, Data: []byte("{ \"a\" : [1, 2] }\n")}
	out, err := eventstore.ValidateAppend("process-1", eventstore.NoStream, []eventstore.EventData{e}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[0].Data) != `{"a":[1,2]}` {
		t.Fatalf("data %s, want compact JSON", out[0].Data)
	}
	if string(e.Data) != "{ \"a\" : [1, 2] }\n" {
		t.Fatal("validation changed the caller's data")
	}
	small := e
	small.Data = []byte(`"0123456789"`)
	_, err = eventstore.ValidateAppend("process-1", eventstore.Any, []eventstore.EventData{small}, 8)
	var ie *eventstore.InputError
	if !errors.As(err, &ie) || ie.Field != "events[0].data" {
		t.Fatalf("over a limit of 8 bytes: %v, want an error naming events[0].data", err)
	}
}
