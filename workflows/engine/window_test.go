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

// A command of several events found through the store answers the version after its last event.
func TestCommand_of_several_events_replayed_outside_the_window_answers_its_last_version(t *testing.T) {
	h := newHarness(t)
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := h.open(standard, "Zurück")
	doStageWork(h, id, tv.Template, 0)
	h.do(lead, id, engine.Advance{})
	doStageWork(h, id, tv.Template, 1) // grants the conception's approval
	before := h.do(lead, id, engine.Advance{}).Version
	back := h.meta(lead)
	// Back to the conception: the stage is reverted and its approval withdrawn, two events.
	goBack := engine.GoBack{To: tv.Template.Stages[1].Key, Reason: "Nachbesserung"}
	res, err := h.engine.Do(h.ctx, back, id, engine.NoExpectation, goBack)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version-before < 2 {
		t.Fatalf("going back recorded %d event(s); the test needs a command of several", res.Version-before)
	}
	for range process.WindowSize + 1 {
		h.do(member, id, engine.RecordContribution{Text: "danach"})
	}
	h.engine = newEngine(t, h)
	again, err := h.engine.Do(h.ctx, back, id, engine.NoExpectation, goBack)
	if err != nil || !again.Duplicate || again.Version != res.Version {
		t.Fatalf("going back again: %+v, %v; want a duplicate at version %d", again, err, res.Version)
	}
}

// A programme remembers its latest command IDs only, too: a command replayed after more than
// process.WindowSize later ones is found through the store.
func TestProgramme_command_replayed_outside_the_window_is_a_duplicate(t *testing.T) {
	h := newHarness(t)
	prog, _ := programmeWithSites(t, h, 5, 1)
	first := h.meta(coordinator)
	schedule := func(key string) engine.ScheduleProgrammeSession {
		return engine.ScheduleProgrammeSession{Session: key, Title: "Fachtagung", Format: "conference", Date: h.clock.Now(), DurationMinutes: 120, Place: "Dortmund"}
	}
	res, err := h.engine.DoProgramme(h.ctx, first, prog, engine.NoExpectation, schedule("s0"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range process.WindowSize + 1 {
		if _, err := h.engine.DoProgramme(h.ctx, h.meta(coordinator), prog, engine.NoExpectation, schedule(fmt.Sprint("s", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	again, err := h.engine.DoProgramme(h.ctx, first, prog, engine.NoExpectation, schedule("s0"))
	if err != nil || !again.Duplicate || again.Version != res.Version {
		t.Fatalf("the first session again: %+v, %v; want a duplicate at version %d", again, err, res.Version)
	}
	p, err := h.engine.LoadProgramme(h.ctx, coordinator, prog)
	if err != nil || p.Remembered() > process.WindowSize || p.Version != res.Version+int64(process.WindowSize)+1 {
		t.Fatalf("programme: %v; %d command IDs in memory, version %d", err, p.Remembered(), p.Version)
	}
}
