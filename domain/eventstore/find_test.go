package eventstore_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

func TestCommandEventID_is_derived_from_stream_command_and_index(t *testing.T) {
	v7 := uuid.Must(uuid.NewV7()).String()
	id := eventstore.CommandEventID("process-1", v7, 0)
	cases := []struct {
		name  string
		other uuid.UUID
		same  bool
	}{
		{"the_same_inputs", eventstore.CommandEventID("process-1", v7, 0), true},
		{"another_index", eventstore.CommandEventID("process-1", v7, 1), false},
		{"another_stream", eventstore.CommandEventID("process-2", v7, 0), false},
		{"another_command", eventstore.CommandEventID("process-1", uuid.Must(uuid.NewV7()).String(), 0), false},
		{"no_ambiguity_between_stream_and_command", eventstore.CommandEventID("process-1"+"\x00"+v7, "", 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if (id == c.other) != c.same {
				t.Errorf("%s vs %s: same = %v, want %v", id, c.other, id == c.other, c.same)
			}
		})
	}
}

func TestCommandEventID_takes_the_time_of_a_UUIDv7_command(t *testing.T) {
	cmd := uuid.Must(uuid.NewV7())
	cases := []struct {
		name    string
		command string
		version uuid.Version
		time    bool
	}{
		{"uuidv7_command", cmd.String(), 7, true},
		{"uuidv4_command", uuid.NewString(), 8, false},
		{"uuidv7_not_canonical", "urn:uuid:" + cmd.String(), 8, false},
		{"free_text_command", "demo-step-12", 8, false},
		{"empty_command", "", 8, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := eventstore.CommandEventID("process-1", c.command, 3)
			if id.Version() != c.version || id.Variant() != uuid.RFC4122 {
				t.Errorf("version %d variant %v, want %d RFC 4122", id.Version(), id.Variant(), c.version)
			}
			if got := [6]byte(id[:6]) == [6]byte(cmd[:6]); got != c.time {
				t.Errorf("time prefix taken from the command: %v, want %v", got, c.time)
			}
		})
	}
}
