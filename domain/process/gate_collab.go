package process

import (
	"maps"
	"slices"

	"github.com/civicflow/civicflow/domain/template"
)

// TeamFacts count the teams: per kind, complete ones (within their kind's size rule, with a
// coach where the kind needs one), coached ones, members in all and per team.
type TeamFacts struct {
	Count      int64            `cel:"count"`
	ByKind     map[string]int64 `cel:"by_kind"`
	Complete   int64            `cel:"complete"`
	Incomplete int64            `cel:"incomplete"`
	Coached    int64            `cel:"coached"`
	Members    int64            `cel:"members"`
	// ByTeam counts each team's members, by team ID.
	ByTeam map[string]int64 `cel:"by_team"`
}

// RoleFacts count the holders of each process role the template declares.
type RoleFacts struct {
	Holders map[string]int64 `cel:"holders"`
}

// OrganisationFacts count the organisations taking part, in all and per stakeholder group.
type OrganisationFacts struct {
	Count   int64            `cel:"count"`
	ByGroup map[string]int64 `cel:"by_group"`
}

// DecidedFacts count decisions per body that took them, and those adopted, so that a gate can
// require e.g. decided.adopted_by["council"] >= 1. Every known body has an entry.
type DecidedFacts struct {
	ByBody    map[string]int64 `cel:"by_body"`
	AdoptedBy map[string]int64 `cel:"adopted_by"`
}

// IndicatorFacts give each indicator's latest value, its number of values and whether the
// latest value reaches the target. Every declared indicator has an entry; the latest value of one
// without values is its baseline.
type IndicatorFacts struct {
	Latest  map[string]float64 `cel:"latest"`
	Values  map[string]int64   `cel:"values"`
	Reached map[string]bool    `cel:"reached"`
}

// AttendanceFacts count attendance per person: records over all sessions, distinct persons who
// attended at least one session, and the persons each session had.
type AttendanceFacts struct {
	Records   int64            `cel:"records"`
	Persons   int64            `cel:"persons"`
	BySession map[string]int64 `cel:"by_session"`
}

// ProgrammeFacts describe the programme (domain/programme) the process is a member site of, as
// its site sees it: the programme is a stream of its own, so the engine fills them (see
// GateFacts.Programme); they are zero, with empty maps, for a process that is no member. A
// site's gate can so require the shared sessions it attended, e.g.
// programme.attended_by_format[?"workshop"].orValue(0) >= 4.
type ProgrammeFacts struct {
	// Member is whether the process is an active member site of a programme.
	Member bool `cel:"member"`
	// Held counts the programme's held shared sessions, HeldByFormat per format.
	Held         int64            `cel:"held"`
	HeldByFormat map[string]int64 `cel:"held_by_format"`
	// Attended counts the held shared sessions at least one person of the site attended,
	// AttendedByFormat per format.
	Attended         int64            `cel:"attended"`
	AttendedByFormat map[string]int64 `cel:"attended_by_format"`
	// Attendances counts the site's persons at shared sessions, summed over the sessions.
	Attendances int64 `cel:"attendances"`
}

// NoProgramme is the programme facts of a process that is no member site.
func NoProgramme() ProgrammeFacts {
	return ProgrammeFacts{HeldByFormat: map[string]int64{}, AttendedByFormat: map[string]int64{}}
}

// FeedbackFacts count feedback and average each question's ratings.
type FeedbackFacts struct {
	Count   int64              `cel:"count"`
	Average map[string]float64 `cel:"average"`
}

// collabFacts fills the facts of teams, roles, organisations, decision bodies, indicators,
// attendance and feedback.
func (p *Process) collabFacts(tpl template.Template, f *GateFacts) {
	f.Teams = p.teamFacts(tpl)
	f.Roles = RoleFacts{Holders: map[string]int64{}}
	for _, r := range tpl.ProcessRoles {
		f.Roles.Holders[r.Key] = int64(len(p.Collab.Roles[r.Key]))
	}
	f.Organisations = OrganisationFacts{ByGroup: map[string]int64{}}
	for _, o := range p.Collab.Organisations {
		f.Organisations.Count++
		f.Organisations.ByGroup[o.Group]++
	}
	f.Decided = DecidedFacts{ByBody: map[string]int64{}, AdoptedBy: map[string]int64{}}
	for body := range template.DecisionBodies {
		f.Decided.ByBody[body], f.Decided.AdoptedBy[body] = 0, 0
	}
	for _, d := range p.Decisions {
		if d.Body != "" {
			f.Decided.ByBody[d.Body]++
			if d.Adopted {
				f.Decided.AdoptedBy[d.Body]++
			}
		}
	}
	f.Indicators = p.indicatorFacts(tpl)
	f.Attendance = p.attendanceFacts()
	f.Feedback = p.feedbackFacts(tpl)
}

func (p *Process) teamFacts(tpl template.Template) TeamFacts {
	f := TeamFacts{ByKind: map[string]int64{}, ByTeam: map[string]int64{}}
	for _, k := range tpl.TeamKinds {
		f.ByKind[k.Key] = 0
	}
	for _, t := range p.Collab.Teams {
		kind, _ := tpl.TeamKind(t.Kind)
		n := len(t.Members)
		f.Count++
		f.ByKind[t.Kind]++
		f.Members += int64(n)
		f.ByTeam[t.Team] = int64(n)
		if t.Coach != "" {
			f.Coached++
		}
		if n >= kind.Min && n <= kind.Max && (!kind.Coached || t.Coach != "") {
			f.Complete++
		} else {
			f.Incomplete++
		}
	}
	return f
}

func (p *Process) attendanceFacts() AttendanceFacts {
	f := AttendanceFacts{BySession: map[string]int64{}}
	persons := map[string]bool{}
	for session := range p.Sessions {
		f.BySession[session] = 0
	}
	for session, xs := range p.Collab.Attendance {
		f.BySession[session] = int64(len(xs))
		f.Records += int64(len(xs))
		for _, x := range xs {
			persons[x] = true
		}
	}
	f.Persons = int64(len(persons))
	return f
}

// checkBody checks a decision's body: one of template.DecisionBodies, and required when the
// decision says it was adopted.
func checkBody(d DecisionRecorded) error {
	if d.Body == "" {
		if d.Adopted {
			return invalid("body", "is required when the decision was adopted: say which body adopted it")
		}
		return nil
	}
	if _, ok := template.DecisionBodies[d.Body]; !ok {
		return invalid("body", "%q is not one of %v", d.Body, slices.Sorted(maps.Keys(template.DecisionBodies)))
	}
	return nil
}
