package process

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SnapshotSchema is the version of the snapshot format; a snapshot of another version is ignored
// and the process replayed from its events. Version 2: the state's times are the events'
// recorded times (version 1 held the commands' times). Version 3: with the time state.
const SnapshotSchema = 3

// snapshot is the state in its stored form.
type snapshot struct {
	ID              uuid.UUID                            `json:"id"`
	Tenant          string                               `json:"tenant"`
	Title           string                               `json:"title"`
	Lead            string                               `json:"lead"`
	Programme       string                               `json:"programme,omitempty"`
	TemplateID      string                               `json:"template_id"`
	TemplateVersion int                                  `json:"template_version"`
	Status          Status                               `json:"status"`
	Stage           string                               `json:"stage"`
	StageEnteredAt  time.Time                            `json:"stage_entered_at"`
	OpenedAt        time.Time                            `json:"opened_at"`
	ClosedAt        time.Time                            `json:"closed_at,omitzero"`
	Public          bool                                 `json:"public,omitempty"`
	Timeline        []StageVisit                         `json:"timeline"`
	Tasks           map[string]map[string]TaskRecord     `json:"tasks"`
	Approvals       map[string]map[string]ApprovalRecord `json:"approvals"`
	Participants    map[string]Participant               `json:"participants"`
	Sessions        map[string]Session                   `json:"sessions"`
	Contributions   int                                  `json:"contributions"`
	Decisions       []DecisionRecorded                   `json:"decisions"`
	Results         []ResultPublished                    `json:"results"`
	Measures        map[string]Measure                   `json:"measures"`
	Collab          Collaboration                        `json:"collab,omitzero"`
	Version         int64                                `json:"version"`
	Time            TimeState                            `json:"time"`
}

// MarshalSnapshot encodes the state (without pending events) so that loading a large process
// need not replay all its events: the state as JSON, then the handled command IDs in a compact
// binary form (a long process has one per event, and JSON would make them slow to load).
func (p *Process) MarshalSnapshot() ([]byte, error) {
	return p.marshal(p.commands)
}

// MarshalPast encodes the state like MarshalSnapshot but without the handled command IDs: a
// snapshot of a past state for reading, which stays small however long the process grows. A
// state restored from it must never decide a command (it cannot recognise a repeated one).
func (p *Process) MarshalPast() ([]byte, error) { return p.marshal(nil) }

func (p *Process) marshal(commands map[string]int64) ([]byte, error) {
	state, err := json.Marshal(snapshot{
		ID: p.ID, Tenant: p.Tenant, Title: p.Title, Lead: p.Lead, Programme: p.Programme,
		TemplateID: p.TemplateID, TemplateVersion: p.TemplateVersion, Status: p.Status, Stage: p.Stage,
		StageEnteredAt: p.StageEnteredAt, OpenedAt: p.OpenedAt, ClosedAt: p.ClosedAt, Public: p.Public, Timeline: p.Timeline,
		Tasks: p.Tasks, Approvals: p.Approvals, Participants: p.Participants, Sessions: p.Sessions,
		Contributions: p.Contributions, Decisions: p.Decisions, Results: p.Results, Measures: p.Measures,
		Collab: p.Collab, Version: p.Version, Time: p.Time,
	})
	if err != nil {
		return nil, err
	}
	b := binary.AppendUvarint(nil, uint64(len(state)))
	b = append(b, state...)
	b = binary.AppendUvarint(b, uint64(len(commands)))
	for id, v := range commands {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b, nil
}

var errSnapshot = errors.New("process: snapshot damaged")

func readCommands(b []byte) (map[string]int64, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, errSnapshot
	}
	b = b[k:]
	out := make(map[string]int64, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, errSnapshot
		}
		id := string(b[k : k+int(l)])
		b = b[k+int(l):]
		v, k2 := binary.Uvarint(b)
		if k2 <= 0 {
			return nil, errSnapshot
		}
		b = b[k2:]
		out[id] = int64(v)
	}
	if len(b) != 0 {
		return nil, errSnapshot
	}
	return out, nil
}

// UnmarshalSnapshot restores a state written by MarshalSnapshot.
func UnmarshalSnapshot(b []byte) (*Process, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, errSnapshot
	}
	var s snapshot
	if err := json.Unmarshal(b[k:k+int(n)], &s); err != nil {
		return nil, fmt.Errorf("process: snapshot: %w", err)
	}
	commands, err := readCommands(b[k+int(n):])
	if err != nil {
		return nil, err
	}
	p := New(s.ID)
	p.Tenant, p.Title, p.Lead, p.Programme = s.Tenant, s.Title, s.Lead, s.Programme
	p.TemplateID, p.TemplateVersion, p.Status, p.Stage = s.TemplateID, s.TemplateVersion, s.Status, s.Stage
	p.StageEnteredAt, p.OpenedAt, p.ClosedAt, p.Timeline = s.StageEnteredAt, s.OpenedAt, s.ClosedAt, s.Timeline
	p.Public = s.Public
	p.Contributions, p.Decisions, p.Results, p.Version = s.Contributions, s.Decisions, s.Results, s.Version
	if s.Tasks != nil {
		p.Tasks = s.Tasks
	}
	if s.Approvals != nil {
		p.Approvals = s.Approvals
	}
	if s.Participants != nil {
		p.Participants = s.Participants
	}
	if s.Sessions != nil {
		p.Sessions = s.Sessions
	}
	if s.Measures != nil {
		p.Measures = s.Measures
	}
	p.Collab = s.Collab
	if s.Time.Dates != nil {
		p.Time = s.Time
	}
	p.commands = commands
	return p, nil
}
