package process_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

func TestWindow_remembers_the_latest_commands_only(t *testing.T) {
	var w process.Window
	for i := 1; i <= 1000; i++ {
		w.Add(fmt.Sprint("c", i), int64(i))
	}
	w.Add("", 1001) // events without a command ID are not remembered
	if w.Len() != process.WindowSize {
		t.Fatalf("window holds %d command IDs, want %d", w.Len(), process.WindowSize)
	}
	cases := []struct {
		name string
		id   string
		want int64
		ok   bool
	}{
		{"the_latest", "c1000", 1000, true},
		{"the_oldest_kept", fmt.Sprint("c", 1000-process.WindowSize+1), int64(1000 - process.WindowSize + 1), true},
		{"the_first_forgotten", fmt.Sprint("c", 1000-process.WindowSize), 0, false},
		{"an_early_one", "c1", 0, false},
		{"empty", "", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, ok := w.Get(c.id)
			if v != c.want || ok != c.ok {
				t.Errorf("Get(%q) = %d, %v, want %d, %v", c.id, v, ok, c.want, c.ok)
			}
		})
	}
}

func TestWindow_keeps_the_version_after_a_command_of_several_events(t *testing.T) {
	var w process.Window
	w.Add("a", 1)
	w.Add("b", 2)
	w.Add("b", 3)
	w.Add("b", 4)
	w.Add("c", 5)
	w.Add("a", 6) // the same ID again later: its latest version counts, as a replay sets it
	for id, want := range map[string]int64{"a": 6, "b": 4, "c": 5} {
		if v, ok := w.Get(id); !ok || v != want {
			t.Errorf("Get(%q) = %d, %v, want %d", id, v, ok, want)
		}
	}
	if w.Len() != 3 {
		t.Errorf("window holds %d entries, want 3", w.Len())
	}
}

// contributions replays a process of n contributions, one command each.
func contributions(n int) *process.Process {
	p := process.New(uuid.New())
	p.Apply(process.Recorded{Payload: process.ProcessOpened{Tenant: "leipzig", Title: "Radweg", Stage: "tender"}, Version: 1, CommandID: "open"})
	for i := 2; i <= n; i++ {
		p.Apply(process.Recorded{Payload: process.ContributionRecorded{Contribution: fmt.Sprint("k", i)}, Version: int64(i), CommandID: uuid.NewString()})
	}
	return p
}

func TestProcess_memory_and_snapshot_do_not_grow_with_commands(t *testing.T) {
	var sizes []int
	for _, n := range []int{100, 10_000} {
		p := contributions(n)
		if p.Remembered() > process.WindowSize {
			t.Errorf("after %d commands the process holds %d command IDs, want at most %d", n, p.Remembered(), process.WindowSize)
		}
		b, err := p.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(b))
		back, err := process.UnmarshalSnapshot(b)
		if err != nil {
			t.Fatal(err)
		}
		if back.Remembered() != 0 || back.Version != int64(n) || back.Contributions != n-1 {
			t.Errorf("restored: %d command IDs, version %d, %d contributions; want 0, %d, %d", back.Remembered(), back.Version, back.Contributions, n, n-1)
		}
	}
	// Only the digits of the version and of the count grow.
	if sizes[1]-sizes[0] > 8 {
		t.Errorf("snapshot of 100 commands %d bytes, of 10,000 commands %d bytes: it grows with the history", sizes[0], sizes[1])
	}
}

// schema3 encodes a state as snapshots of schema 3 did: the state, then every command ID.
func schema3(t *testing.T, p *process.Process, commands map[string]int64) []byte {
	t.Helper()
	b, err := p.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	b = b[:len(b)-1] // schema 4 ends with a zero count
	b = binary.AppendUvarint(b, uint64(len(commands)))
	for id, v := range commands {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

func TestSnapshot_of_schema_3_loads_with_its_latest_command_IDs(t *testing.T) {
	p := contributions(500)
	commands := map[string]int64{}
	for v := int64(1); v <= 500; v++ {
		commands[fmt.Sprint("c", v)] = v
	}
	back, err := process.UnmarshalSnapshot(schema3(t, p, commands))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(p.View())
	got, _ := json.Marshal(back.View())
	if string(got) != string(want) {
		t.Errorf("state changed:\n%s\n%s", got, want)
	}
	if back.Remembered() != process.WindowSize {
		t.Errorf("holds %d command IDs, want %d", back.Remembered(), process.WindowSize)
	}
	if v, ok := back.HandledRecently("c500"); !ok || v != 500 {
		t.Errorf("c500: %d, %v", v, ok)
	}
	if _, ok := back.HandledRecently(fmt.Sprint("c", 500-process.WindowSize)); ok {
		t.Error("an older command ID was kept in memory")
	}
}

func TestWindow_clone_shares_nothing_and_an_empty_window_costs_no_entries(t *testing.T) {
	var empty process.Window
	if c := empty.Clone(); c.Len() != 0 {
		t.Fatalf("clone of an empty window holds %d", c.Len())
	}
	var w process.Window
	w.Add("c1", 1)
	c := w.Clone()
	c.Add("c2", 2)
	w.Add("c3", 3)
	if _, ok := w.Get("c2"); ok {
		t.Error("the original sees a command added to its clone")
	}
	if _, ok := c.Get("c3"); ok {
		t.Error("the clone sees a command added to the original")
	}
	if v, ok := c.Get("c1"); !ok || v != 1 {
		t.Errorf("clone lost c1: %d, %v", v, ok)
	}
	// The process list applies events without command IDs: such a state holds no window entries.
	allocs := testing.AllocsPerRun(100, func() {
		var x process.Window
		x.Add("", 1)
		if _, ok := x.Get("c1"); ok || x.Len() != 0 {
			t.Fatal("an empty window answered")
		}
	})
	if allocs != 0 {
		t.Errorf("an empty window allocated %.0f times", allocs)
	}
}
