package process

import (
	"time"

	"github.com/civicflow/civicflow/domain/template"
)

// TeamFormed forms a team of a kind the template declares (e.g. an Entwicklungsteam).
type TeamFormed struct {
	Team string `json:"team"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// TeamMemberJoined adds a participant to a team.
type TeamMemberJoined struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
}

// TeamMemberLeft removes a participant from a team, for a reason.
type TeamMemberLeft struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// CoachAssigned assigns a participant as a team's coach (Coachingpartner).
type CoachAssigned struct {
	Team        string `json:"team"`
	Participant string `json:"participant"`
}

// RoleTaken gives a participant a process role the template declares (speaker, backbone …).
type RoleTaken struct {
	Role        string `json:"role"`
	Participant string `json:"participant"`
}

// RoleReleased ends a participant's process role.
type RoleReleased struct {
	Role        string `json:"role"`
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// OrganisationJoined records an organisation taking part (a Jobcenter, a company, a freier
// Träger) in a stakeholder group, with its contact person; the contact's name and e-mail are
// sealed with the contact's key, as a participant's are.
type OrganisationJoined struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Group        string `json:"group"`
	Contact      string `json:"contact,omitempty"`
	ContactName  Sealed `json:"contact_name,omitzero"`
	ContactEmail Sealed `json:"contact_email,omitzero"`
}

// IndicatorDeclared declares an indicator of the process, optionally attached to one of its
// measures; template indicators need no declaration.
type IndicatorDeclared struct {
	Indicator template.Indicator `json:"indicator"`
	Measure   string             `json:"measure,omitempty"`
}

// IndicatorValueRecorded records a value of an indicator at a date, with its source.
type IndicatorValueRecorded struct {
	Indicator string    `json:"indicator"`
	Value     float64   `json:"value"`
	Date      time.Time `json:"date"`
	Source    string    `json:"source"`
	By        string    `json:"by"`
}

// AttendanceRecorded says which participants attended a held session; it replaces what was
// recorded for the session before.
type AttendanceRecorded struct {
	Session      string   `json:"session"`
	Participants []string `json:"participants"`
}

// FeedbackGiven is a participant's feedback on a session: a rating per template question and
// optional text, sealed as personal data.
type FeedbackGiven struct {
	Feedback    string         `json:"feedback"`
	Session     string         `json:"session"`
	Participant string         `json:"participant"`
	Ratings     map[string]int `json:"ratings"`
	Text        Sealed         `json:"text,omitzero"`
}

func (TeamFormed) Type() string             { return "process.team_formed" }
func (TeamMemberJoined) Type() string       { return "process.team_member_joined" }
func (TeamMemberLeft) Type() string         { return "process.team_member_left" }
func (CoachAssigned) Type() string          { return "process.coach_assigned" }
func (RoleTaken) Type() string              { return "process.role_taken" }
func (RoleReleased) Type() string           { return "process.role_released" }
func (OrganisationJoined) Type() string     { return "process.organisation_joined" }
func (IndicatorDeclared) Type() string      { return "process.indicator_declared" }
func (IndicatorValueRecorded) Type() string { return "process.indicator_value_recorded" }
func (AttendanceRecorded) Type() string     { return "process.attendance_recorded" }
func (FeedbackGiven) Type() string          { return "process.feedback_given" }

func init() {
	register[TeamFormed](1, nil)
	register[TeamMemberJoined](1, nil)
	register[TeamMemberLeft](1, nil)
	register[CoachAssigned](1, nil)
	register[RoleTaken](1, nil)
	register[RoleReleased](1, nil)
	register[OrganisationJoined](1, nil)
	register[IndicatorDeclared](1, nil)
	register[IndicatorValueRecorded](1, nil)
	register[AttendanceRecorded](1, nil)
	register[FeedbackGiven](1, nil)
}
