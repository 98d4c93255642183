package eventstoretest

import (
	"errors"
	"maps"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// testFind: Find answers which event IDs are recorded in a stream and at which version, never
// for another stream's events or unknown IDs, also for a command's derived IDs after many later
// events.
func testFind(t *testing.T, h *harness) {
	s, p := h.open(t)
	a, b := p+"a", p+"b"
	first := events("test.happened", 3)
	mustAppend(t, s, a, eventstore.NoStream, first...)
	other := event("test.happened", 9)
	mustAppend(t, s, b, eventstore.NoStream, other)

	// A command of two events, then many later commands, each with IDs derived from its command.
	old := uuid.Must(uuid.NewV7()).String()
	cmd := func(c string, n int) []eventstore.EventData {
		evs := events("test.happened", n)
		for i := range evs {
			evs[i].ID = eventstore.CommandEventID(a, c, i)
			evs[i].Metadata.CommandID = c
		}
		return evs
	}
	mustAppend(t, s, a, eventstore.Exact(3), cmd(old, 2)...)
	for i := range 50 {
		mustAppend(t, s, a, eventstore.Any, cmd(uuid.Must(uuid.NewV7()).String(), 1+i%2)...)
	}
	unknown := uuid.Must(uuid.NewV7())
	cases := []struct {
		name   string
		stream string
		ids    []uuid.UUID
		want   map[uuid.UUID]int64
	}{
		{"recorded_ids_with_their_versions", a, []uuid.UUID{first[2].ID, first[0].ID}, map[uuid.UUID]int64{first[0].ID: 1, first[2].ID: 3}},
		{"only_the_recorded_of_several", a, []uuid.UUID{unknown, first[1].ID}, map[uuid.UUID]int64{first[1].ID: 2}},
		{"an_old_command_by_its_derived_ids", a,
			[]uuid.UUID{eventstore.CommandEventID(a, old, 0), eventstore.CommandEventID(a, old, 1), eventstore.CommandEventID(a, old, 2)},
			map[uuid.UUID]int64{eventstore.CommandEventID(a, old, 0): 4, eventstore.CommandEventID(a, old, 1): 5}},
		{"a_command_never_recorded", a, []uuid.UUID{eventstore.CommandEventID(a, "never", 0)}, map[uuid.UUID]int64{}},
		{"not_another_streams_event", a, []uuid.UUID{other.ID}, map[uuid.UUID]int64{}},
		{"not_in_the_wrong_stream", b, []uuid.UUID{first[0].ID, other.ID}, map[uuid.UUID]int64{other.ID: 1}},
		{"a_stream_without_events", p + "empty", []uuid.UUID{first[0].ID}, map[uuid.UUID]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Find(ctxFor(t), c.stream, c.ids...)
			if err != nil {
				t.Fatalf("find: %v", err)
			}
			if len(got) != len(c.want) || !maps.Equal(got, c.want) {
				t.Errorf("find = %v, want %v", got, c.want)
			}
		})
	}
	bad := []struct {
		name, stream, field string
		ids                 []uuid.UUID
	}{
		{"no_ids", a, "ids", nil},
		{"a_nil_id", a, "ids[1]", []uuid.UUID{first[0].ID, uuid.Nil}},
		{"too_many_ids", a, "ids", make([]uuid.UUID, eventstore.MaxFindIDs+1)},
		{"an_empty_stream_name", "", "stream", []uuid.UUID{first[0].ID}},
		{"a_reserved_stream_name", "$all", "stream", []uuid.UUID{first[0].ID}},
	}
	for _, c := range bad {
		t.Run("refuses_"+c.name, func(t *testing.T) {
			_, err := s.Find(ctxFor(t), c.stream, c.ids...)
			var in *eventstore.InputError
			if !errors.As(err, &in) || in.Field != c.field {
				t.Errorf("find: %v, want an input error on %s", err, c.field)
			}
		})
	}
}
