package process

import (
	"maps"
	"time"

	"github.com/google/uuid"
)

// Status is the lifecycle status of a process.
type Status string

// The statuses.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusCancelled Status = "cancelled"
	StatusCompleted Status = "completed"
)

// Process is the state of one participation process, built only by Apply.
type Process struct {
	ID              uuid.UUID
	Tenant          string
	Title           string
	Lead            string
	Programme       string
	TemplateID      string
	TemplateVersion int
	Status          Status
	Stage           string
	StageEnteredAt  time.Time
	OpenedAt        time.Time
	ClosedAt        time.Time
	// Public says whether an administrator marked the process public for the open-data export,
	// and PublicChangedAt when that last changed (zero: never).
	Public          bool
	PublicChangedAt time.Time
	// Timeline lists every stage visit in order.
	Timeline []StageVisit
	// Tasks holds completed tasks by stage and task key.
	Tasks map[string]map[string]TaskRecord
	// Approvals holds granted approvals by stage and approval key.
	Approvals     map[string]map[string]ApprovalRecord
	Participants  map[string]Participant
	Sessions      map[string]Session
	Contributions int
	Decisions     []DecisionRecorded
	Results       []ResultPublished
	Measures      map[string]Measure
	// Collab holds teams, roles, organisations, indicators, attendance and feedback.
	Collab Collaboration
	// Time holds dates, extensions, suspensions and other facts about time (time_state.go).
	Time TimeState
	// Version is the number of events applied.
	Version int64
	// recent holds the latest command IDs applied with the version after each (Window).
	recent  Window
	pending []Payload
	// decidedAt is the command's time that the pending events set where they set a time, and
	// stampFrom the first timeline entry they may have changed; Stamp corrects both.
	decidedAt time.Time
	stampFrom int
}

// StageVisit is one stay in a stage.
type StageVisit struct {
	Stage   string    `json:"stage"`
	Entered time.Time `json:"entered"`
	Left    time.Time `json:"left,omitzero"`
	How     string    `json:"how,omitempty"` // "completed", "reverted", "migrated", "closed"
}

// TaskRecord is a completed task.
type TaskRecord struct {
	Evidence string
	By       string
}

// ApprovalRecord is a granted approval.
type ApprovalRecord struct {
	By, Role, Note string
}

// Participant is a registered participant; the name and e-mail stay sealed.
type Participant struct {
	ID, Person, Group string
	Name, Email       Sealed
	Withdrawn         bool
}

// Session is a scheduled or held session.
type Session struct {
	SessionScheduled
	Held       bool
	Attendance int
}

// Measure is a defined measure with its latest progress.
type Measure struct {
	MeasureDefined
	Progress int
	Status   string
}

// Recorded is an event as the process applies it: the payload and its context.
type Recorded struct {
	Payload   Payload
	Version   int64
	CommandID string
	// At is when the store recorded the event. Every time in the state (opened, a stage entered
	// or left, closed) is the recorded time of the event that set it, so that each is a valid
	// instant at which to ask for the state it describes. Zero (an event not yet appended) means
	// the payload's own time, the command's.
	At time.Time
}

// time is the time an event sets in the state: when it was recorded, else its payload's time.
func (r Recorded) time(payload time.Time) time.Time {
	if r.At.IsZero() {
		return payload
	}
	return r.At.UTC()
}

// New returns the empty state of the process with id, before its first event.
func New(id uuid.UUID) *Process {
	return &Process{
		ID: id, Tasks: map[string]map[string]TaskRecord{}, Approvals: map[string]map[string]ApprovalRecord{},
		Participants: map[string]Participant{}, Sessions: map[string]Session{}, Measures: map[string]Measure{},
		Time: newTimeState(),
	}
}

// Replay builds a process from its recorded events.
func Replay(id uuid.UUID, events []Recorded) *Process {
	p := New(id)
	for _, e := range events {
		p.Apply(e)
	}
	return p
}

// Pending returns the events recorded by intent methods since the last ClearPending.
func (p *Process) Pending() []Payload { return p.pending }

// ClearPending forgets the pending events (after they were appended).
func (p *Process) ClearPending() { p.pending, p.decidedAt, p.stampFrom = nil, time.Time{}, 0 }

// TimedPending reports whether a pending event set a time in the state (opened, a stage entered
// or left, closed): the command's time, which Stamp replaces by the recorded one after the append.
func (p *Process) TimedPending() bool {
	for _, e := range p.pending {
		switch e.(type) {
		case ProcessOpened, StageCompleted, StageReverted, ProcessCancelled, ProcessCompleted, ProcessMigrated, OpenDataSet:
			return true
		}
	}
	return false
}

// Stamp gives the pending events the time at which the store recorded them: every time they set
// in the state from the command's clock becomes at, as a replay of the recorded events would set
// it. Call it after the append, before ClearPending.
func (p *Process) Stamp(at time.Time) {
	if len(p.pending) == 0 {
		return
	}
	at = at.UTC()
	fix := func(t *time.Time) {
		if t.Equal(p.decidedAt) {
			*t = at
		}
	}
	fix(&p.OpenedAt)
	fix(&p.StageEnteredAt)
	fix(&p.ClosedAt)
	fix(&p.PublicChangedAt)
	for i := p.stampFrom; i < len(p.Timeline); i++ {
		fix(&p.Timeline[i].Entered)
		fix(&p.Timeline[i].Left)
	}
}

// HandledRecently returns the version after the command with id when it is one of the latest
// WindowSize commands applied. A miss does not mean the command is new: an older one is found in
// the store (the engine asks it).
func (p *Process) HandledRecently(commandID string) (int64, bool) { return p.recent.Get(commandID) }

// Remembered returns how many command IDs the process holds in memory (at most WindowSize).
func (p *Process) Remembered() int { return p.recent.Len() }

// ActiveParticipants counts participants who have not withdrawn.
func (p *Process) ActiveParticipants() int {
	n := 0
	for _, x := range p.Participants {
		if !x.Withdrawn {
			n++
		}
	}
	return n
}

// record applies a new event and keeps it pending.
func (p *Process) record(m Meta, e Payload) {
	if len(p.pending) == 0 {
		p.decidedAt, p.stampFrom = m.Now, max(len(p.Timeline)-1, 0)
	}
	p.Apply(Recorded{Payload: e, Version: p.Version + 1, CommandID: m.CommandID})
	p.pending = append(p.pending, e)
}

// Apply changes the state by one recorded event. It is the only code that changes state.
func (p *Process) Apply(r Recorded) {
	p.Version = r.Version
	p.recent.Add(r.CommandID, r.Version)
	p.applyTime(r.Payload) // before the stage changes: a contribution counts in the stage it came in
	switch e := r.Payload.(type) {
	case ProcessOpened:
		at := r.time(e.At)
		p.Tenant, p.Title, p.Lead, p.Programme = e.Tenant, e.Title, e.Lead, e.Programme
		p.TemplateID, p.TemplateVersion = e.TemplateID, e.TemplateVersion
		p.Status, p.OpenedAt = StatusActive, at
		p.enter(e.Stage, at)
	case TaskCompleted:
		stageMap(p.Tasks, e.Stage)[e.Task] = TaskRecord{Evidence: e.Evidence, By: e.By}
	case TaskReopened:
		delete(p.Tasks[e.Stage], e.Task)
	case ApprovalGranted:
		stageMap(p.Approvals, e.Stage)[e.Approval] = ApprovalRecord{By: e.By, Role: e.Role, Note: e.Note}
	case ApprovalRevoked:
		delete(p.Approvals[e.Stage], e.Approval)
	case StageCompleted:
		at := r.time(e.At)
		p.leave(at, "completed")
		p.enter(e.Next, at)
	case StageReverted:
		at := r.time(e.At)
		p.leave(at, "reverted")
		p.enter(e.To, at)
	case ParticipantRegistered:
		p.Participants[e.Participant] = Participant{ID: e.Participant, Person: e.Person, Group: e.Group, Name: e.Name, Email: e.Email}
	case ParticipantWithdrawn:
		x := p.Participants[e.Participant]
		x.Withdrawn = true
		p.Participants[e.Participant] = x
	case SessionScheduled:
		p.Sessions[e.Session] = Session{SessionScheduled: e}
	case SessionHeld:
		s := p.Sessions[e.Session]
		s.Held, s.Attendance = true, e.Attendance
		p.Sessions[e.Session] = s
	case ContributionRecorded:
		p.Contributions++
	case DecisionRecorded:
		p.Decisions = append(p.Decisions, e)
	case ResultPublished:
		p.Results = append(p.Results, e)
	case MeasureDefined:
		p.Measures[e.Measure] = Measure{MeasureDefined: e, Status: "planned"}
	case MeasureProgressReported:
		m := p.Measures[e.Measure]
		m.Progress, m.Status = e.Progress, e.Status
		p.Measures[e.Measure] = m
	case ProcessSuspended:
		p.Status = StatusSuspended
	case ProcessResumed:
		p.Status = StatusActive
	case OpenDataSet:
		p.Public, p.PublicChangedAt = e.Public, r.time(e.At)
	case ProcessCancelled:
		p.Status, p.ClosedAt = StatusCancelled, r.time(e.At)
		p.leave(p.ClosedAt, "closed")
	case ProcessCompleted:
		p.Status, p.ClosedAt = StatusCompleted, r.time(e.At)
		p.leave(p.ClosedAt, "closed")
	case ProcessMigrated:
		p.TemplateVersion = e.ToVersion
		if e.Stage != p.Stage {
			at := r.time(e.At)
			p.leave(at, "migrated")
			p.enter(e.Stage, at)
		}
		p.Tasks = remap(p.Tasks, e.StageMapping)
		p.Approvals = remap(p.Approvals, e.StageMapping)
	default:
		p.Collab.apply(e)
	}
}

func (p *Process) enter(stage string, at time.Time) {
	p.Stage, p.StageEnteredAt = stage, at
	p.Timeline = append(p.Timeline, StageVisit{Stage: stage, Entered: at})
}

func (p *Process) leave(at time.Time, how string) {
	if n := len(p.Timeline); n > 0 && p.Timeline[n-1].Left.IsZero() {
		p.Timeline[n-1].Left, p.Timeline[n-1].How = at, how
	}
}

func stageMap[V any](m map[string]map[string]V, stage string) map[string]V {
	if m[stage] == nil {
		m[stage] = map[string]V{}
	}
	return m[stage]
}

// remap renames the stage keys of m by mapping (old → new); stages not mapped are kept.
func remap[V any](m map[string]map[string]V, mapping map[string]string) map[string]map[string]V {
	out := make(map[string]map[string]V, len(m))
	for stage, v := range m {
		if to, ok := mapping[stage]; ok {
			stage = to
		}
		out[stage] = v
	}
	return out
}

// Clone returns a deep copy of the state (without pending events), for readers that must not
// share it with later commands.
func (p *Process) Clone() *Process {
	c := p.View()
	c.recent = p.recent.Clone()
	return c
}

// View returns a deep copy of the state for readers (without pending events), without the
// command IDs the process handled: HandledRecently on it answers nothing.
func (p *Process) View() *Process {
	c := *p
	c.recent = Window{}
	c.Timeline = append([]StageVisit(nil), p.Timeline...)
	c.Tasks = make(map[string]map[string]TaskRecord, len(p.Tasks))
	for k, v := range p.Tasks {
		c.Tasks[k] = maps.Clone(v)
	}
	c.Approvals = make(map[string]map[string]ApprovalRecord, len(p.Approvals))
	for k, v := range p.Approvals {
		c.Approvals[k] = maps.Clone(v)
	}
	c.Participants = maps.Clone(p.Participants)
	c.Sessions = maps.Clone(p.Sessions)
	c.Measures = maps.Clone(p.Measures)
	c.Decisions = append([]DecisionRecorded(nil), p.Decisions...)
	c.Results = append([]ResultPublished(nil), p.Results...)
	c.Collab = p.Collab.clone()
	c.Time = p.Time.clone()
	c.pending, c.decidedAt, c.stampFrom = nil, time.Time{}, 0
	return &c
}
