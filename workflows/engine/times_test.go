package engine_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// at is the past state at an instant, failing the test on error.
func at(t *testing.T, h *harness, id uuid.UUID, when time.Time) *process.Process {
	t.Helper()
	p, _, err := h.engine.PastState(h.ctx, auditor, id, engine.Past{At: when})
	if err != nil {
		t.Fatalf("state at %s: %v", when, err)
	}
	return p
}

// checkTimes asks for the past state at every time the state shows and expects the state it
// describes there, and the state before it a nanosecond earlier.
func checkTimes(t *testing.T, h *harness, id uuid.UUID, p *process.Process) {
	t.Helper()
	if _, _, err := h.engine.PastState(h.ctx, auditor, id, engine.Past{At: p.OpenedAt.Add(-time.Nanosecond)}); !errors.Is(err, process.ErrNotFound) {
		t.Errorf("a nanosecond before opened_at %s: %v, want not found", p.OpenedAt, err)
	}
	if got := at(t, h, id, p.OpenedAt); !got.OpenedAt.Equal(p.OpenedAt) {
		t.Errorf("at opened_at %s: opened at %s", p.OpenedAt, got.OpenedAt)
	}
	for i, v := range p.Timeline {
		got := at(t, h, id, v.Entered)
		if len(got.Timeline) != i+1 || got.Stage != v.Stage || !got.StageEnteredAt.Equal(v.Entered) {
			t.Errorf("at the entry into %s (visit %d) %s: in %s since %s after %d visits", v.Stage, i, v.Entered, got.Stage, got.StageEnteredAt, len(got.Timeline))
		}
		if i > 0 {
			if before := at(t, h, id, v.Entered.Add(-time.Nanosecond)); len(before.Timeline) != i {
				t.Errorf("a nanosecond before the entry into %s: %d visits, want %d", v.Stage, len(before.Timeline), i)
			}
		}
		if !v.Left.IsZero() {
			if got := at(t, h, id, v.Left); !got.Timeline[i].Left.Equal(v.Left) {
				t.Errorf("at leaving %s %s: left at %s", v.Stage, v.Left, got.Timeline[i].Left)
			}
		}
	}
	if got := at(t, h, id, p.StageEnteredAt); got.Stage != p.Stage {
		t.Errorf("at stage_entered_at %s: in %s, want %s", p.StageEnteredAt, got.Stage, p.Stage)
	}
	if !p.ClosedAt.IsZero() {
		if got := at(t, h, id, p.ClosedAt); got.Status != p.Status || !got.ClosedAt.Equal(p.ClosedAt) {
			t.Errorf("at closed_at %s: %s closed at %s, want %s", p.ClosedAt, got.Status, got.ClosedAt, p.Status)
		}
	}
}

func TestLoad_every_time_the_state_shows_is_an_instant_of_the_state_it_describes(t *testing.T) {
	h := newHarness(t)
	h.clock.tick = time.Millisecond // the store records each event a little after the engine decided it
	tv, err := h.engine.Template(h.ctx, standard, 0)
	if err != nil {
		t.Fatal(err)
	}
	completed := runToCompletion(t, h, tv.Template)
	reverted := h.open(standard, "Zurück und abgebrochen")
	doStageWork(h, reverted, tv.Template, 0)
	h.do(lead, reverted, engine.Advance{})
	h.do(lead, reverted, engine.GoBack{To: tv.Template.Stages[0].Key, Reason: "Nachbesserung"})
	h.do(lead, reverted, engine.Cancel{Reason: "Haushaltssperre"})
	for name, id := range map[string]uuid.UUID{"completed": completed, "reverted_and_cancelled": reverted} {
		t.Run(name, func(t *testing.T) {
			live := h.state(id) // the engine's cached state, built by its commands
			checkTimes(t, h, id, live)
			replayed, err := newEngine(t, h).Load(h.ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(live, replayed) {
				t.Errorf("the state the commands built differs from the replayed one:\n live %+v\nreplayed %+v", live.Timeline, replayed.Timeline)
			}
		})
	}
}

func TestLoad_takes_the_times_of_an_old_history_from_the_recorded_events(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	decided := h.clock.Now().Add(-1500 * time.Microsecond) // as an engine decided it before the store recorded it
	data, schema, err := process.Encode(process.ProcessOpened{TemplateID: standard, TemplateVersion: 1, Title: "Alt",
		Tenant: "leipzig", Lead: "anna", Stage: "vorbereitung", At: decided})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Append(h.ctx, engine.StreamOf(id), eventstore.NoStream, eventstore.EventData{ID: eventstore.NewEventID(),
		Type: process.ProcessOpened{}.Type(), SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig"}}); err != nil {
		t.Fatal(err)
	}
	recorded := events(t, h, id)[0].RecordedAt
	p := h.state(id)
	if !p.OpenedAt.Equal(recorded) || !p.StageEnteredAt.Equal(recorded) {
		t.Fatalf("opened at %s, stage entered at %s, want the recorded time %s (not the decided %s)", p.OpenedAt, p.StageEnteredAt, recorded, decided)
	}
	checkTimes(t, h, id, p)
}
