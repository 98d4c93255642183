package process_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

// TestView_copies_the_state_without_the_handled_command_IDs: a reader's copy costs the state, not
// the history; Clone keeps them for the engine's own copies.
func TestView_copies_the_state_without_the_handled_command_IDs(t *testing.T) {
	p := process.Replay(uuid.New(), []process.Recorded{{Payload: process.ProcessOpened{Tenant: "leipzig", Title: "Spielplatz", Stage: "tender"}, Version: 1, CommandID: "c1"}})
	if _, ok := p.HandledRecently("c1"); !ok {
		t.Fatal("the replayed process does not know its command")
	}
	v := p.View()
	if _, ok := v.HandledRecently("c1"); ok {
		t.Error("the view knows the handled command IDs")
	}
	if v.Title != "Spielplatz" || v.Version != 1 || v.Stage != "tender" {
		t.Errorf("the view lost the state: %+v", v)
	}
	v.Title = "geändert"
	if p.Title != "Spielplatz" {
		t.Error("the view shares the state")
	}
	if _, ok := p.Clone().HandledRecently("c1"); !ok {
		t.Error("the clone lost the handled command IDs")
	}
}
