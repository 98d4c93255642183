package process_test

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

// TestRecordedCollabHistory_replays_with_todays_code replays a recorded history of teams, roles,
// organisations, decision bodies, indicators, sessions with recurrence, attendance and feedback
// (testdata/history_collab_v1.jsonl, schema 1), checks the state, and that a snapshot of it
// restores the same state. A change that breaks these events' history fails here.
func TestRecordedCollabHistory_replays_with_todays_code(t *testing.T) {
	f, err := os.Open("testdata/history_collab_v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := process.New(uuid.MustParse("0193c3a5-7c1e-7d4b-9a5e-2f6b8c1d0e00"))
	lines := bufio.NewScanner(f)
	for v := int64(1); lines.Scan(); v++ {
		var rec struct {
			Type          string          `json:"type"`
			SchemaVersion int             `json:"schema_version"`
			CommandID     string          `json:"command_id"`
			Data          json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(lines.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v", v, err)
		}
		if process.SchemaVersion(rec.Type) != rec.SchemaVersion {
			t.Fatalf("line %d: %s is at schema %d now: add an upcaster and keep this history", v, rec.Type, process.SchemaVersion(rec.Type))
		}
		payload, err := process.Decode(rec.Type, rec.SchemaVersion, rec.Data)
		if err != nil {
			t.Fatalf("line %d: %v", v, err)
		}
		p.Apply(process.Recorded{Payload: payload, Version: v, CommandID: rec.CommandID})
	}
	c := p.Collab
	checks := []struct {
		name string
		ok   bool
	}{
		{"version", p.Version == 19},
		{"team", c.Teams["et"].Name == "Entwicklungsteam Leipzig" && reflect.DeepEqual(c.Teams["et"].Members, []string{"a"}) && c.Teams["et"].Coach == "c"},
		{"roles", len(c.Roles["coach"]) == 0},
		{"organisation", c.Organisations["jc"].ContactName.Ciphertext == "c2VhbGVk"},
		{"decision_body", p.Decisions[0].Body == "council" && p.Decisions[0].Adopted},
		{"indicator", c.Indicators["quote"].Indicator.Target.Value == 6 && c.Values["quote"][0].Value == 5.5},
		{"session_series", p.Sessions["m1"].DurationMinutes == 240 && p.Sessions["m1"].RRule == "FREQ=WEEKLY;INTERVAL=2;COUNT=6"},
		{"attendance", reflect.DeepEqual(c.Attendance["m1"], []string{"a", "b"})},
		{"feedback", c.Feedback["f1"].Ratings["nutzen"] == 4 && !c.Feedback["f1"].Text.IsZero()},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("replayed state: %s is wrong: %+v", ch.name, c)
		}
	}
	b, err := p.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored, err := process.UnmarshalSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(restored.Collab, p.Collab) || !reflect.DeepEqual(restored.Decisions, p.Decisions) {
		t.Fatalf("the snapshot restores\n%+v\nnot\n%+v", restored.Collab, p.Collab)
	}
}
