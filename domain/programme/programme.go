package programme

import (
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Programme is the state of one programme, built only by Apply.
type Programme struct {
	ID          uuid.UUID
	Title       string
	Tenant      string
	Coordinator string
	Template    string
	Start, End  time.Time
	MaxSites    int
	OpenedAt    time.Time
	// Members are the member processes by process ID, in the order they joined (Order).
	Members map[string]Member
	Order   []string
	// Sessions are the shared sessions by key.
	Sessions map[string]Session
	// Indicators are the shared indicators by key, Values their recorded values in order.
	Indicators map[string]template.Indicator
	Values     map[string][]IndicatorValueRecorded
	// Feedback is the feedback on shared sessions by feedback ID (texts sealed).
	Feedback map[string]FeedbackGiven
	// Version is the number of events applied.
	Version int64
	recent  process.Window
	pending []Payload
}

// Member is a member process (a site).
type Member struct {
	Process string
	Tenant  string
	Site    string
	// Template is the process's template ID, checked against the programme's when joining.
	Template string
	JoinedAt time.Time
	Left     bool
}

// Session is a shared session with its attendance per site (tenant) and person.
type Session struct {
	SessionScheduled
	Held bool
	// Attendance lists the persons who attended, by their site's tenant.
	Attendance map[string][]string
}

// Attendees counts the persons who attended the session, over all sites.
func (s Session) Attendees() int {
	n := 0
	for _, ps := range s.Attendance {
		n += len(ps)
	}
	return n
}

// Recorded is an event as the programme applies it.
type Recorded struct {
	Payload   Payload
	Version   int64
	CommandID string
}

// New returns the empty state of the programme with id.
func New(id uuid.UUID) *Programme {
	return &Programme{ID: id, Members: map[string]Member{}, Sessions: map[string]Session{}, Indicators: map[string]template.Indicator{},
		Values: map[string][]IndicatorValueRecorded{}, Feedback: map[string]FeedbackGiven{}}
}

// Pending returns the events recorded since the last ClearPending.
func (p *Programme) Pending() []Payload { return p.pending }

// ClearPending forgets the pending events (after they were appended).
func (p *Programme) ClearPending() { p.pending = nil }

// HandledRecently returns the version after the command with id when it is one of the latest
// process.WindowSize commands applied. A miss does not mean the command is new: an older one is
// found in the store (the engine asks it).
func (p *Programme) HandledRecently(commandID string) (int64, bool) { return p.recent.Get(commandID) }

// Remembered returns how many command IDs the programme holds in memory (at most
// process.WindowSize).
func (p *Programme) Remembered() int { return p.recent.Len() }

// ActiveMembers returns the members that have not left, in the order they joined.
func (p *Programme) ActiveMembers() []Member {
	var out []Member
	for _, id := range p.Order {
		if m := p.Members[id]; !m.Left {
			out = append(out, m)
		}
	}
	return out
}

// MemberOf returns the active member process of tenant, if the tenant takes part.
func (p *Programme) MemberOf(tenant string) (Member, bool) {
	for _, m := range p.ActiveMembers() {
		if m.Tenant == tenant {
			return m, true
		}
	}
	return Member{}, false
}

// Sees reports whether the actor may see the programme: the coordinating tenant, the tenants of
// its member sites, and installation administrators.
func (p *Programme) Sees(a process.Actor) bool {
	if p.Version == 0 || !a.Allowed(process.ActRead) {
		return false
	}
	_, member := p.MemberOf(a.Tenant)
	return a.Installation || a.Tenant == p.Tenant || member
}

// Coordinates reports whether the actor runs the programme: an administrator or coordinator of
// the coordinating tenant, or an installation administrator.
func (p *Programme) Coordinates(a process.Actor) bool {
	if a.Installation {
		return true
	}
	return a.Tenant == p.Tenant && (a.Role == template.RoleAdministrator || a.Role == template.RoleCoordinator)
}

// ReadsReport reports whether the actor may read the programme's audit report: its coordinators
// and the coordinating tenant's (or the installation's) auditors.
func (p *Programme) ReadsReport(a process.Actor) bool {
	return p.Coordinates(a) || (a.Role == template.RoleAuditor && (a.Tenant == p.Tenant || a.Installation))
}

func (p *Programme) record(m process.Meta, e Payload) {
	p.Apply(Recorded{Payload: e, Version: p.Version + 1, CommandID: m.CommandID})
	p.pending = append(p.pending, e)
}

// Apply changes the state by one recorded event. It is the only code that changes state.
func (p *Programme) Apply(r Recorded) {
	p.Version = r.Version
	p.recent.Add(r.CommandID, r.Version)
	switch e := r.Payload.(type) {
	case Opened:
		p.Title, p.Tenant, p.Coordinator, p.Template = e.Title, e.Tenant, e.Coordinator, e.Template
		p.Start, p.End, p.MaxSites, p.OpenedAt = e.Start, e.End, e.MaxSites, e.At
	case ProcessJoined:
		if _, again := p.Members[e.Process]; !again {
			p.Order = append(p.Order, e.Process)
		}
		p.Members[e.Process] = Member{Process: e.Process, Tenant: e.Tenant, Site: e.Site, JoinedAt: e.At}
	case ProcessLeft:
		m := p.Members[e.Process]
		m.Left = true
		p.Members[e.Process] = m
	case SessionScheduled:
		p.Sessions[e.Session] = Session{SessionScheduled: e, Attendance: map[string][]string{}}
	case SessionHeld:
		s := p.Sessions[e.Session]
		s.Held = true
		p.Sessions[e.Session] = s
	case AttendanceRecorded:
		s := p.Sessions[e.Session]
		s.Attendance = maps.Clone(s.Attendance)
		if s.Attendance == nil {
			s.Attendance = map[string][]string{}
		}
		s.Attendance[e.Tenant] = slices.Clone(e.Persons)
		p.Sessions[e.Session] = s
	case IndicatorDeclared:
		p.Indicators[e.Indicator.Key] = e.Indicator
	case IndicatorValueRecorded:
		p.Values[e.Indicator] = append(slices.Clone(p.Values[e.Indicator]), e)
	case FeedbackGiven:
		p.Feedback[e.Feedback] = e
	}
}

// Replay builds a programme from its recorded events.
func Replay(id uuid.UUID, events []Recorded) *Programme {
	p := New(id)
	for _, e := range events {
		p.Apply(e)
	}
	return p
}
