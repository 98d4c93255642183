package process_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

// FuzzCommands runs random command sequences and checks after each that replaying the recorded
// events (through their JSON encoding, with their recorded times) gives exactly the state the
// commands built and Stamp gave the recorded time.
func FuzzCommands(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add([]byte{1, 2, 4, 4, 12, 13, 3, 6, 7, 9, 10, 11, 5})
	f.Fuzz(func(t *testing.T, ops []byte) {
		id := uuid.New()
		open := m(lead)
		open.CommandID = "open"
		p, err := process.Open(open, process.OpenInput{ID: id, Title: "Fuzz"}, tpl, false)
		if err != nil {
			t.Fatal(err)
		}
		var log []process.Recorded
		cmd := "open"
		recorded := now.Add(time.Millisecond) // the store records each command's events a little after it was decided
		flush := func() {
			p.Stamp(recorded)
			for _, e := range p.Pending() {
				b, schema, err := process.Encode(e)
				if err != nil {
					t.Fatal(err)
				}
				back, err := process.Decode(e.Type(), schema, b)
				if err != nil {
					t.Fatal(err)
				}
				log = append(log, process.Recorded{Payload: back, Version: int64(len(log) + 1), CommandID: cmd, At: recorded})
			}
			p.ClearPending()
		}
		flush()
		clock := now
		for i, op := range ops {
			if i > 64 {
				break
			}
			clock = clock.Add(time.Hour)
			recorded = clock.Add(time.Duration(op%7) * time.Millisecond) // sometimes no later than decided
			cmd = fmt.Sprint(i)
			meta := process.Meta{Actor: []process.Actor{lead, admin, member, auditor}[int(op>>5)%4], CommandID: cmd, Now: clock}
			s := fmt.Sprint(op % 3)
			_ = step(p, meta, op%18, s)
			flush()
			replayed := process.Replay(id, log)
			if !reflect.DeepEqual(p.Clone(), replayed.Clone()) {
				t.Fatalf("after op %d (%d): replay differs from the live state", i, op%18)
			}
		}
	})
}

func step(p *process.Process, meta process.Meta, op byte, s string) error {
	switch op {
	case 0:
		return p.CompleteTask(meta, tpl, "publish_call", "Nachweis "+s)
	case 1:
		return p.CompleteTask(meta, tpl, "optional", "Nachweis "+s)
	case 2:
		return p.ReopenTask(meta, "publish_call", "Grund")
	case 3:
		return p.GrantApproval(meta, tpl, "department_head", "")
	case 4:
		return p.RevokeApproval(meta, tpl, "department_head", "Grund")
	case 5:
		return p.Advance(meta, tpl, fixedGates{"open": true, "closed": s == "1"})
	case 6:
		return p.GoBack(meta, tpl, "tender", "Grund")
	case 7:
		return p.RegisterParticipant(meta, process.RegisterInput{Participant: "x" + s, Person: "p" + s, Group: "citizens", Name: sealed})
	case 8:
		return p.WithdrawParticipant(meta, "x"+s, "")
	case 9:
		return p.ScheduleSession(meta, process.SessionScheduled{Session: "s" + s, Title: "T", Format: "workshop", Date: meta.Now, Place: "R"})
	case 10:
		return p.HoldSession(meta, "s"+s, 10, "")
	case 11:
		return p.RecordContribution(meta, process.ContributionRecorded{Contribution: "c" + fmt.Sprint(meta.Now.Unix()), PlainText: "Idee"})
	case 12:
		return p.Suspend(meta, "Grund")
	case 13:
		return p.Resume(meta)
	case 14:
		return p.DefineMeasure(meta, process.MeasureDefined{Measure: "m" + s, Title: "M"})
	case 15:
		return p.ReportProgress(meta, process.MeasureProgressReported{Measure: "m" + s, Progress: 50, Status: "in_progress"})
	case 16:
		return p.Complete(meta, tpl, fixedGates{"closed": true, "open": true})
	default:
		return p.Cancel(meta, "Grund")
	}
}

func TestSnapshot_restores_the_same_state(t *testing.T) {
	p := ready(t)
	must(t, p.RegisterParticipant(m(member), process.RegisterInput{Participant: "x1", Person: "p1", Group: "citizens", Name: sealed}))
	must(t, p.DefineMeasure(m(lead), process.MeasureDefined{Measure: "m1", Title: "Bänke"}))
	must(t, p.Advance(m(lead), tpl, gates))
	p.ClearPending()
	b, err := p.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := process.UnmarshalSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.View(), back.View()) {
		t.Fatalf("snapshot round trip changed the state:\n%+v\n%+v", p, back)
	}
	if back.Remembered() != 0 {
		t.Errorf("the restored state holds %d command IDs: snapshots carry none", back.Remembered())
	}
}

// FuzzUnmarshalSnapshot checks that a damaged snapshot is an error, never a panic.
func FuzzUnmarshalSnapshot(f *testing.F) {
	p, _ := process.Open(m(lead), process.OpenInput{ID: uuid.New(), Title: "Fuzz"}, tpl, false)
	b, _ := p.MarshalSnapshot()
	f.Add(b)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = process.UnmarshalSnapshot(b)
	})
}
