package eventstoretest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

func testBadInput(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"ok", eventstore.NoStream, event("test.happened", 0))
	valid := func() eventstore.EventData { return event("test.happened", 1) }
	with := func(change func(*eventstore.EventData)) []eventstore.EventData {
		e := valid()
		change(&e)
		return []eventstore.EventData{e}
	}
	dup := valid()
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedVersion
		events   []eventstore.EventData
		field    string
	}{
		{"empty_stream_name", "", eventstore.Any, with(func(*eventstore.EventData) {}), "stream"},
		{"over_long_stream_name", p + strings.Repeat("x", eventstore.MaxStreamLength), eventstore.Any, with(func(*eventstore.EventData) {}), "stream"},
		{"stream_name_with_control_character", p + "a\nb", eventstore.Any, with(func(*eventstore.EventData) {}), "stream"},
		{"reserved_stream_name", "$" + p, eventstore.Any, with(func(*eventstore.EventData) {}), "stream"},
		{"negative_expected_version", p + "ok", eventstore.Exact(-1), with(func(*eventstore.EventData) {}), "expected_version"},
		{"empty_batch", p + "ok", eventstore.Any, nil, "events"},
		{"nil_event_id", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.ID = uuid.Nil }), "events[0].id"},
		{"repeated_event_id", p + "ok", eventstore.Any, []eventstore.EventData{dup, dup}, "events[1].id"},
		{"empty_type", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.Type = "" }), "events[0].type"},
		{"go_type_name_as_type", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.Type = "domain.StageCompleted" }), "events[0].type"},
		{"schema_version_zero", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.SchemaVersion = 0 }), "events[0].schema_version"},
		{"invalid_json", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.Data = []byte(`{"a":}`) }), "events[0].data"},
		{"empty_data", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) { e.Data = nil }), "events[0].data"},
		{"event_over_the_size_limit", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) {
			e.Data = []byte(`"` + strings.Repeat("x", h.features.MaxEventBytes) + `"`)
		}), "events[0].data"},
		{"over_long_metadata", p + "ok", eventstore.Any, with(func(e *eventstore.EventData) {
			e.Metadata.Actor = strings.Repeat("a", eventstore.MaxMetadataFieldLength+1)
		}), "events[0].metadata.actor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctxFor(t), tc.stream, tc.expected, tc.events...)
			var ie *eventstore.InputError
			if !errors.Is(err, eventstore.ErrInvalidInput) || !errors.As(err, &ie) {
				t.Fatalf("err %v, want an *InputError", err)
			}
			if ie.Field != tc.field || ie.Problem == "" {
				t.Fatalf("error names field %q (%s), want %q", ie.Field, ie.Problem, tc.field)
			}
			if got := len(readPrefix(t, s, p)); got != 1 {
				t.Fatalf("%d events recorded, want 1: bad input wrote something", got)
			}
		})
	}
	t.Run("bad_read_arguments", func(t *testing.T) {
		ctx := ctxFor(t)
		if _, err := s.ReadStream(ctx, p+"ok", eventstore.ReadStreamOptions{From: -1}); !errors.Is(err, eventstore.ErrInvalidInput) {
			t.Errorf("read from -1: %v", err)
		}
		if _, err := s.ReadStream(ctx, p+"ok", eventstore.ReadStreamOptions{Limit: -1}); !errors.Is(err, eventstore.ErrInvalidInput) {
			t.Errorf("read limit -1: %v", err)
		}
		if _, err := s.ReadStream(ctx, "", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrInvalidInput) {
			t.Errorf("read empty stream: %v", err)
		}
		if _, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Limit: -5}); !errors.Is(err, eventstore.ErrInvalidInput) {
			t.Errorf("read all limit -5: %v", err)
		}
		if _, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{""}}}); !errors.Is(err, eventstore.ErrInvalidInput) {
			t.Errorf("read all with empty prefix: %v", err)
		}
	})
}

func testReadStream(t *testing.T, h *harness) {
	s, p := h.open(t)
	stream := p + "ten"
	mustAppend(t, s, stream, eventstore.NoStream, events("test.happened", 10)...)
	cases := []struct {
		name string
		opts eventstore.ReadStreamOptions
		want []int64
	}{
		{"whole_stream", eventstore.ReadStreamOptions{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"forwards_from_3_limit_4", eventstore.ReadStreamOptions{From: 3, Limit: 4}, []int64{3, 4, 5, 6}},
		{"forwards_past_the_end", eventstore.ReadStreamOptions{From: 11}, nil},
		{"backwards_from_the_end_limit_3", eventstore.ReadStreamOptions{Direction: eventstore.Backwards, Limit: 3}, []int64{10, 9, 8}},
		{"backwards_from_5_limit_2", eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: 5, Limit: 2}, []int64{5, 4}},
		{"backwards_from_2", eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: 2}, []int64{2, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReadStream(ctxFor(t), stream, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var versions []int64
			for _, e := range got {
				versions = append(versions, e.Version)
			}
			if !slices.Equal(versions, tc.want) {
				t.Fatalf("versions %v, want %v", versions, tc.want)
			}
		})
	}
	t.Run("missing_stream_reads_empty", func(t *testing.T) {
		got, err := s.ReadStream(ctxFor(t), p+"missing", eventstore.ReadStreamOptions{})
		if err != nil || len(got) != 0 {
			t.Fatalf("got %d events, err %v; want none and no error", len(got), err)
		}
	})
}

func testReadAll(t *testing.T, h *harness) {
	s, p := h.open(t)
	// Interleave two categories and two types.
	var appended []uuid.UUID
	for i := range 6 {
		typ := "test.happened"
		if i%3 == 0 {
			typ = "test.noted"
		}
		stream := p + "alpha-1"
		if i%2 == 1 {
			stream = p + "beta-1"
		}
		e := event(typ, i)
		mustAppend(t, s, stream, eventstore.Any, e)
		appended = append(appended, e.ID)
	}
	all := readPrefix(t, s, p)
	if !slices.Equal(ids(all), appended) {
		t.Fatalf("global log order %v, want append order %v", ids(all), appended)
	}
	checkOrdered(t, all)
	read := func(opts eventstore.ReadAllOptions) []uuid.UUID {
		t.Helper()
		got, err := s.ReadAll(ctxFor(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		return ids(got)
	}
	prefix := func(ps ...string) eventstore.Filter { return eventstore.Filter{StreamPrefixes: ps} }
	cases := []struct {
		name string
		opts eventstore.ReadAllOptions
		want []uuid.UUID
	}{
		{"after_a_position", eventstore.ReadAllOptions{After: all[2].Position, Filter: prefix(p)}, appended[3:]},
		{"with_a_limit", eventstore.ReadAllOptions{After: all[0].Position, Limit: 2, Filter: prefix(p)}, appended[1:3]},
		{"one_category", eventstore.ReadAllOptions{Filter: prefix(p + "beta-")}, []uuid.UUID{appended[1], appended[3], appended[5]}},
		{"two_categories", eventstore.ReadAllOptions{Filter: prefix(p+"beta-", p+"alpha-")}, appended},
		{"event_types", eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{p}, EventTypes: []string{"test.noted"}}}, []uuid.UUID{appended[0], appended[3]}},
		{"category_and_type", eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{p + "alpha-"}, EventTypes: []string{"test.noted", "test.other"}}}, []uuid.UUID{appended[0]}},
		{"past_the_end", eventstore.ReadAllOptions{After: all[5].Position, Filter: prefix(p)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := read(tc.opts); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// testPageData reads pages of many events from the global log and from a stream and checks that
// every event keeps its own payload and still gives its chain hash: an adapter that decodes events
// out of a driver's reused row buffer returns the last row's bytes in earlier events.
func testPageData(t *testing.T, h *harness) {
	s, p := h.open(t)
	var appended []eventstore.EventData
	for i := range 60 {
		e := event("test.happened", i)
		mustAppend(t, s, p+"page", eventstore.Any, e)
		appended = append(appended, e)
	}
	check := func(what string, got []eventstore.Event) {
		t.Helper()
		if len(got) != len(appended) {
			t.Fatalf("%s: read %d events, want %d", what, len(got), len(appended))
		}
		chain := eventstore.NewChainVerifier()
		for i, e := range got {
			if !bytes.Equal(e.Data, appended[i].Data) {
				t.Fatalf("%s: event %d has data %.40s…, want %.40s…", what, i, e.Data, appended[i].Data)
			}
			if err := chain.Check(e); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}
	page, err := s.ReadAll(ctxFor(t), eventstore.ReadAllOptions{Limit: 1000, Filter: eventstore.Filter{StreamPrefixes: []string{p}}})
	if err != nil {
		t.Fatal(err)
	}
	check("read all", page)
	check("read stream", readStream(t, s, p+"page"))
}
