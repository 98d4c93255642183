package process

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
)

// SnapshotSchema is the version of the snapshot format; a snapshot of another version is ignored
// and the process replayed from its events, except PastSchema, which loads too. Version 2: the
// state's times are the events' recorded times (version 1 held the commands' times). Version 3:
// with the time state, and every command ID the process handled. Version 4: the state alone,
// without command IDs (the engine finds old command IDs in the store), so a snapshot's size is
// the state's, however long the history.
const SnapshotSchema = 4

// PastSchema is the schema of archived past states (MarshalPast) and of the snapshots written
// before SnapshotSchema 4: the same state, with the handled command IDs in the snapshots and none
// in the archive. UnmarshalSnapshot reads it; of its command IDs it keeps the latest WindowSize.
// Archived past states keep this schema, so that those archived before version 4 stay found.
const PastSchema = 3

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
	PublicChangedAt time.Time                            `json:"public_changed_at,omitzero"`
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
// need not replay all its events (schema SnapshotSchema): the state as JSON behind its length,
// then a count of command IDs, which is zero since schema 4. A state restored from it remembers
// no command ID: the engine finds a retried command in the store.
func (p *Process) MarshalSnapshot() ([]byte, error) { return p.marshal() }

// MarshalPast encodes a past state for the archive (schema PastSchema). Its bytes are those of
// MarshalSnapshot: the state without command IDs.
func (p *Process) MarshalPast() ([]byte, error) { return p.marshal() }

func (p *Process) marshal() ([]byte, error) {
	state, err := json.Marshal(snapshot{
		ID: p.ID, Tenant: p.Tenant, Title: p.Title, Lead: p.Lead, Programme: p.Programme,
		TemplateID: p.TemplateID, TemplateVersion: p.TemplateVersion, Status: p.Status, Stage: p.Stage,
		StageEnteredAt: p.StageEnteredAt, OpenedAt: p.OpenedAt, ClosedAt: p.ClosedAt, Public: p.Public, PublicChangedAt: p.PublicChangedAt, Timeline: p.Timeline,
		Tasks: p.Tasks, Approvals: p.Approvals, Participants: p.Participants, Sessions: p.Sessions,
		Contributions: p.Contributions, Decisions: p.Decisions, Results: p.Results, Measures: p.Measures,
		Collab: p.Collab, Version: p.Version, Time: p.Time,
	})
	if err != nil {
		return nil, err
	}
	b := binary.AppendUvarint(nil, uint64(len(state)))
	b = append(b, state...)
	return binary.AppendUvarint(b, 0), nil // no command IDs (schema 3 listed them here)
}

var errSnapshot = errors.New("process: snapshot damaged")

// readCommands reads the command IDs of a schema 3 snapshot into a window: the latest
// WindowSize by version (a schema 4 snapshot has none).
func readCommands(b []byte) (Window, error) {
	var w Window
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return w, errSnapshot
	}
	b = b[k:]
	type entry struct {
		id string
		v  int64
	}
	var latest []entry // sorted by version, at most WindowSize
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return w, errSnapshot
		}
		id := b[k : k+int(l)]
		b = b[k+int(l):]
		v, k2 := binary.Uvarint(b)
		if k2 <= 0 || v > math.MaxInt64 {
			return w, errSnapshot
		}
		b = b[k2:]
		if len(latest) == WindowSize && int64(v) <= latest[0].v {
			continue
		}
		i, _ := slices.BinarySearchFunc(latest, int64(v), func(e entry, v int64) int { return cmp.Compare(e.v, v) })
		latest = slices.Insert(latest, i, entry{string(id), int64(v)})
		if len(latest) > WindowSize {
			latest = latest[1:]
		}
	}
	if len(b) != 0 {
		return w, errSnapshot
	}
	for _, e := range latest {
		w.Add(e.id, e.v)
	}
	return w, nil
}

// UnmarshalSnapshot restores a state written by MarshalSnapshot or MarshalPast, of schema
// SnapshotSchema or PastSchema.
func UnmarshalSnapshot(b []byte) (*Process, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, errSnapshot
	}
	var s snapshot
	if err := json.Unmarshal(b[k:k+int(n)], &s); err != nil {
		return nil, fmt.Errorf("process: snapshot: %w", err)
	}
	recent, err := readCommands(b[k+int(n):])
	if err != nil {
		return nil, err
	}
	p := New(s.ID)
	p.Tenant, p.Title, p.Lead, p.Programme = s.Tenant, s.Title, s.Lead, s.Programme
	p.TemplateID, p.TemplateVersion, p.Status, p.Stage = s.TemplateID, s.TemplateVersion, s.Status, s.Stage
	p.StageEnteredAt, p.OpenedAt, p.ClosedAt, p.Timeline = s.StageEnteredAt, s.OpenedAt, s.ClosedAt, s.Timeline
	p.Public, p.PublicChangedAt = s.Public, s.PublicChangedAt
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
	p.recent = recent
	return p, nil
}
