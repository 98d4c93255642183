package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// A command replayed long after it was handled, far outside the window of command IDs a process
// remembers, is recognised through the store (Find), answered as before and writes nothing; with
// another request it is refused. Also after a restart, when the process comes from a snapshot
// without command IDs.
func TestCommand_replayed_after_1000_later_commands_is_recognised_through_the_store(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Spielplatz")
	first := h.meta(member)
	first.CommandID = uuid.Must(uuid.NewV7()).String()
	first.Request = "sha256:first"
	register := engine.RegisterParticipant{Participant: "t1", Group: "citizens", Name: "Erika Mustermann"}
	res, err := h.engine.Do(h.ctx, first, id, engine.NoExpectation, register)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		h.do(member, id, engine.RecordContribution{Topic: "Radweg", Text: fmt.Sprint("Vorschlag ", i)})
	}
	total := len(events(t, h, id))
	if total != 1002 {
		t.Fatalf("%d events, want 1002", total)
	}
	snap, ok, err := h.store.Snapshots().Load(h.ctx, engine.StreamOf(id))
	if err != nil || !ok {
		t.Fatalf("no snapshot after 1,002 events: %v", err)
	}
	stored, err := process.UnmarshalSnapshot(snap.Data)
	if err != nil || snap.Schema != process.SnapshotSchema || stored.Remembered() != 0 {
		t.Fatalf("snapshot schema %d with %d command IDs (%v), want schema %d without any", snap.Schema, stored.Remembered(), err, process.SnapshotSchema)
	}
	for _, restarted := range []bool{false, true} {
		name := map[bool]string{false: "running", true: "after_a_restart"}[restarted]
		t.Run(name, func(t *testing.T) {
			if restarted {
				h.engine = newEngine(t, h) // from the snapshot: no command ID in memory
			}
			again, err := h.engine.Do(h.ctx, first, id, engine.NoExpectation, register)
			if err != nil || !again.Duplicate || again.Version != res.Version || again.Process != id {
				t.Fatalf("the first command again: %+v, %v; want a duplicate at version %d", again, err, res.Version)
			}
			other := first
			other.Request = "sha256:other"
			if _, err := h.engine.Do(h.ctx, other, id, engine.NoExpectation, register); !errors.Is(err, engine.ErrIdempotencyKeyReused) {
				t.Fatalf("another request under the first command's ID: %v, want ErrIdempotencyKeyReused", err)
			}
			if v, ok, err := h.engine.Handled(h.ctx, lead, id, first.CommandID); err != nil || !ok || v != res.Version {
				t.Fatalf("Handled(first) = %d, %v, %v; want %d", v, ok, err, res.Version)
			}
			if _, ok, err := h.engine.Handled(h.ctx, lead, id, uuid.NewString()); err != nil || ok {
				t.Fatalf("Handled(never) = %v, %v", ok, err)
			}
			if n := len(events(t, h, id)); n != total {
				t.Fatalf("%d events written by replays", n-total)
			}
		})
	}
	t.Run("the_open_outside_the_window", func(t *testing.T) {
		open := h.meta(lead)
		opened, err := h.engine.Open(h.ctx, open, engine.OpenProcess{Template: standard, Title: "Radweg"})
		if err != nil {
			t.Fatal(err)
		}
		for range process.WindowSize + 1 {
			h.do(member, opened.Process, engine.RecordContribution{Text: "noch einer"})
		}
		h.engine = newEngine(t, h)
		again, err := h.engine.Open(h.ctx, open, engine.OpenProcess{Template: standard, Title: "Radweg"})
		if err != nil || !again.Duplicate || again.Process != opened.Process || again.Version != 1 {
			t.Fatalf("the open again: %+v, %v", again, err)
		}
	})
}

// Commands handled by a release from before derived event IDs (their events carry other IDs) are
// still recognised once they have left the window: migration 7 of the store gave them the IDs
// Find asks for.
func TestRelease_bb49f1f_commands_handled_before_are_recognised_outside_the_window(t *testing.T) {
	h := releaseHarness(t)
	p := releaseProcesses(t, h)["Spielplatz Lindenau"]
	for range process.WindowSize + 6 {
		h.do(member, p.ID, engine.RecordContribution{Text: "nach dem Update"})
	}
	h.engine = newEngine(t, h)
	m := func(a process.Actor, id string) process.Meta { return process.Meta{Actor: a, CommandID: id} }
	cases := []struct {
		command string
		meta    process.Meta
		cmd     engine.Command
		version int64
	}{
		{"reg-1", m(member, "reg-1"), engine.RegisterParticipant{Participant: "t1", Person: "erika", Group: "citizens", Name: "Erika Mustermann", Email: "erika@example.org"}, 2},
		{"contrib-1", m(member, "contrib-1"), engine.RecordContribution{Participant: "t1", Text: "Ein Trinkbrunnen"}, 4},
		{"task-1", m(lead, "task-1"), engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"}, 5},
	}
	before := len(events(t, h, p.ID))
	for _, c := range cases {
		t.Run(c.command, func(t *testing.T) {
			res, err := h.engine.Do(h.ctx, c.meta, p.ID, engine.NoExpectation, c.cmd)
			if err != nil || !res.Duplicate || res.Version != c.version {
				t.Fatalf("%+v, %v; want a duplicate at version %d", res, err, c.version)
			}
		})
	}
	if after := len(events(t, h, p.ID)); after != before {
		t.Fatalf("%d events written by replays of old commands", after-before)
	}
	if res, err := h.engine.Open(h.ctx, m(lead, "open-1"), engine.OpenProcess{Template: standard, TemplateVersion: 1, Title: "Spielplatz Lindenau"}); err != nil || !res.Duplicate || res.Process != p.ID {
		t.Fatalf("open-1 again: %+v, %v", res, err)
	}
}
