package audit

import (
	"maps"
	"strconv"

	"github.com/civicflow/civicflow/domain/process"
)

// The sentences of teams, roles, organisations, indicators, attendance and feedback. Like the
// others they name no person: teams and indicators by their keys and names, participants never.
func init() { maps.Copy(forms, collabForms) }

var collabForms = map[string]form{
	process.TeamFormed{}.Type():             {"%s hat das Team „%s“ (%s) gebildet.", "%s formed the team “%s” (%s)."},
	process.TeamMemberJoined{}.Type():       {"%s hat ein Mitglied in das Team %s aufgenommen.", "%s added a member to the team %s."},
	process.TeamMemberLeft{}.Type():         {"%s hat ein Mitglied aus dem Team %s entlassen.", "%s removed a member from the team %s."},
	process.CoachAssigned{}.Type():          {"%s hat dem Team %s einen Coach zugeordnet.", "%s assigned a coach to the team %s."},
	process.RoleTaken{}.Type():              {"%s hat die Rolle %s vergeben.", "%s gave the role %s."},
	process.RoleReleased{}.Type():           {"%s hat die Rolle %s zurückgenommen.", "%s withdrew the role %s."},
	process.OrganisationJoined{}.Type():     {"%s hat die Organisation „%s“ beteiligt.", "%s added the organisation “%s”."},
	process.IndicatorDeclared{}.Type():      {"%s hat die Kennzahl „%s“ festgelegt.", "%s declared the indicator “%s”."},
	process.IndicatorValueRecorded{}.Type(): {"%s hat für die Kennzahl %s den Wert %s erfasst (Quelle: %s).", "%s recorded the value %[3]s of the indicator %[2]s (source: %[4]s)."},
	process.AttendanceRecorded{}.Type():     {"%s hat die Anwesenheit bei %s erfasst (%d Personen).", "%s recorded the attendance at %s (%d persons)."},
	process.FeedbackGiven{}.Type():          {"%s hat eine Rückmeldung zu %s erfasst.", "%s recorded feedback on %s."},
}

// collabFacts returns the facts of the events above, in the order of their forms.
func collabFacts(payload process.Payload) ([]any, bool) {
	switch p := payload.(type) {
	case process.TeamFormed:
		return []any{p.Name, p.Kind}, true
	case process.TeamMemberJoined:
		return []any{p.Team}, true
	case process.TeamMemberLeft:
		return []any{p.Team}, true
	case process.CoachAssigned:
		return []any{p.Team}, true
	case process.RoleTaken:
		return []any{p.Role}, true
	case process.RoleReleased:
		return []any{p.Role}, true
	case process.OrganisationJoined:
		return []any{p.Name}, true
	case process.IndicatorDeclared:
		return []any{p.Indicator.Name.De}, true
	case process.IndicatorValueRecorded:
		return []any{p.Indicator, strconv.FormatFloat(p.Value, 'f', -1, 64), p.Source}, true
	case process.AttendanceRecorded:
		return []any{p.Session, len(p.Participants)}, true
	case process.FeedbackGiven:
		return []any{p.Session}, true
	}
	return nil, false
}
