package process

import (
	"maps"
	"slices"
)

// Collaboration is who works together in a process and what they measure: teams with their
// members and coaches, process roles, organisations, indicators with their values, attendance
// per session and feedback. It is built only by Apply.
type Collaboration struct {
	Teams map[string]Team `json:"teams,omitempty"`
	// Roles lists the participants holding each process role.
	Roles         map[string][]string           `json:"roles,omitempty"`
	Organisations map[string]OrganisationJoined `json:"organisations,omitempty"`
	// Indicators are the indicators the process declared (the template's are not repeated).
	Indicators map[string]IndicatorDeclared `json:"indicators,omitempty"`
	// Values are each indicator's recorded values, in the order recorded.
	Values map[string][]IndicatorValueRecorded `json:"values,omitempty"`
	// Attendance lists the participants who attended each session.
	Attendance map[string][]string      `json:"attendance,omitempty"`
	Feedback   map[string]FeedbackGiven `json:"feedback,omitempty"`
}

// Team is a formed team with its members and coach.
type Team struct {
	TeamFormed
	Members []string `json:"members,omitempty"`
	Coach   string   `json:"coach,omitempty"`
}

// TeamOf returns the team of kind the participant is a member of, if any.
func (c *Collaboration) TeamOf(participant, kind string) (Team, bool) {
	for _, t := range c.Teams {
		if t.Kind == kind && slices.Contains(t.Members, participant) {
			return t, true
		}
	}
	return Team{}, false
}

// apply changes the collaboration by one event; it reports whether the event was one of its own.
func (c *Collaboration) apply(e Payload) bool {
	switch e := e.(type) {
	case TeamFormed:
		put(&c.Teams, e.Team, Team{TeamFormed: e})
	case TeamMemberJoined:
		t := c.Teams[e.Team]
		t.Members = append(slices.Clone(t.Members), e.Participant)
		c.Teams[e.Team] = t
	case TeamMemberLeft:
		t := c.Teams[e.Team]
		t.Members = slices.DeleteFunc(slices.Clone(t.Members), func(x string) bool { return x == e.Participant })
		c.Teams[e.Team] = t
	case CoachAssigned:
		t := c.Teams[e.Team]
		t.Coach = e.Participant
		c.Teams[e.Team] = t
	case RoleTaken:
		put(&c.Roles, e.Role, append(slices.Clone(c.Roles[e.Role]), e.Participant))
	case RoleReleased:
		put(&c.Roles, e.Role, slices.DeleteFunc(slices.Clone(c.Roles[e.Role]), func(x string) bool { return x == e.Participant }))
	case OrganisationJoined:
		put(&c.Organisations, e.Organisation, e)
	case IndicatorDeclared:
		put(&c.Indicators, e.Indicator.Key, e)
	case IndicatorValueRecorded:
		put(&c.Values, e.Indicator, append(slices.Clone(c.Values[e.Indicator]), e))
	case AttendanceRecorded:
		put(&c.Attendance, e.Session, slices.Clone(e.Participants))
	case FeedbackGiven:
		put(&c.Feedback, e.Feedback, e)
	default:
		return false
	}
	return true
}

// put sets m[k] = v, making the map on first use.
func put[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	(*m)[k] = v
}

// clone returns a copy that shares no map with c (slices are replaced, never changed, by apply).
func (c Collaboration) clone() Collaboration {
	return Collaboration{Teams: maps.Clone(c.Teams), Roles: maps.Clone(c.Roles), Organisations: maps.Clone(c.Organisations),
		Indicators: maps.Clone(c.Indicators), Values: maps.Clone(c.Values), Attendance: maps.Clone(c.Attendance),
		Feedback: maps.Clone(c.Feedback)}
}
