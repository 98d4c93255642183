package process_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

// TestRecordedHistory_replays_with_todays_code replays a history recorded with older schema
// versions (testdata/history_v1.jsonl, among them process.measure_progress_reported v1 with its
// "percent" field) and checks the state it gives. A change that breaks old history fails here.
func TestRecordedHistory_replays_with_todays_code(t *testing.T) {
	f, err := os.Open("testdata/history_v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := process.New(uuid.MustParse("0193c3a5-7c1e-7d4b-9a5e-2f6b8c1d0e9f"))
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
		payload, err := process.Decode(rec.Type, rec.SchemaVersion, rec.Data)
		if err != nil {
			t.Fatalf("line %d: %v", v, err)
		}
		p.Apply(process.Recorded{Payload: payload, Version: v, CommandID: rec.CommandID})
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"version", p.Version == 12},
		{"status", p.Status == process.StatusSuspended},
		{"stage", p.Stage == "execution" && p.StageEnteredAt.Equal(time.Date(2024, 6, 10, 9, 30, 0, 0, time.UTC))},
		{"timeline", len(p.Timeline) == 2 && p.Timeline[0].How == "completed"},
		{"task", p.Tasks["tender"]["publish_call"].Evidence == "Amtsblatt 19/2024"},
		{"participant", p.Participants["x1"].Name.Ciphertext == "c2VhbGVk"},
		{"session", p.Sessions["s1"].Held && p.Sessions["s1"].Attendance == 42},
		{"contributions", p.Contributions == 1},
		{"measure_upcast_and_current", p.Measures["m1"].Progress == 100 && p.Measures["m1"].Status == "done"},
		{"commands", func() bool { v, ok := p.HandledRecently("c10"); return ok && v == 10 }()},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("replayed state: %s is wrong: %+v", c.name, p)
		}
	}
}

func TestDecode_upcasts_progress_v1(t *testing.T) {
	cases := []struct {
		percent int
		status  string
	}{{0, "planned"}, {60, "in_progress"}, {100, "done"}}
	for _, c := range cases {
		b, _ := json.Marshal(map[string]any{"measure": "m1", "percent": c.percent})
		got, err := process.Decode("process.measure_progress_reported", 1, b)
		if err != nil {
			t.Fatal(err)
		}
		if r := got.(process.MeasureProgressReported); r.Progress != c.percent || r.Status != c.status {
			t.Errorf("v1 percent %d upcast to %+v, want status %s", c.percent, r, c.status)
		}
	}
	if _, err := process.Decode("process.measure_progress_reported", 3, []byte(`{}`)); err == nil {
		t.Error("a schema version from the future was accepted")
	}
	if _, err := process.Decode("process.unknown", 1, []byte(`{}`)); err == nil {
		t.Error("an unknown type was accepted")
	}
}
