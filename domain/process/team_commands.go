package process

import (
	"fmt"
	"maps"
	"slices"

	"github.com/civicflow/civicflow/domain/template"
)

// The actions of teams, roles and organisations.
const (
	ActFormTeam         Action = "form_team"
	ActJoinTeam         Action = "join_team"
	ActLeaveTeam        Action = "leave_team"
	ActAssignCoach      Action = "assign_coach"
	ActTakeRole         Action = "take_role"
	ActReleaseRole      Action = "release_role"
	ActJoinOrganisation Action = "join_organisation"
)

func init() {
	for _, a := range []Action{ActFormTeam, ActJoinTeam, ActLeaveTeam, ActTakeRole, ActReleaseRole, ActJoinOrganisation} {
		roles[a] = workers
	}
	roles[ActAssignCoach] = leads
}

// FormTeam forms a team of a kind the template declares.
func (p *Process) FormTeam(m Meta, tpl template.Template, t TeamFormed) error {
	if err := p.check(m, ActFormTeam); err != nil {
		return err
	}
	_, exists := p.Collab.Teams[t.Team]
	if err := p.newID("team", t.Team, exists); err != nil {
		return err
	}
	if _, ok := tpl.TeamKind(t.Kind); !ok {
		return invalid("kind", "%q is not a team kind of template %s", t.Kind, tpl.ID)
	}
	if err := text("name", t.Name, true, 300); err != nil {
		return err
	}
	p.record(m, t)
	return nil
}

// activeParticipant checks that participant is registered and has not withdrawn.
func (p *Process) activeParticipant(participant string) error {
	x, ok := p.Participants[participant]
	switch {
	case !ok:
		return invalid("participant", "%q is not registered", participant)
	case x.Withdrawn:
		return refuse("withdrawn", "Teilnahme zurückgezogen / participant withdrawn: "+participant)
	}
	return nil
}

// teamAndParticipant returns a formed team, checking that participant is active.
func (p *Process) teamAndParticipant(team, participant string) (Team, error) {
	t, ok := p.Collab.Teams[team]
	if !ok {
		return t, invalid("team", "%q is not formed", team)
	}
	return t, p.activeParticipant(participant)
}

// JoinTeam adds a participant to a team. A team at its kind's largest size refuses (rule
// team_size, naming the kind's rule), and a participant is in one team of a kind at most.
func (p *Process) JoinTeam(m Meta, tpl template.Template, team, participant string) error {
	if err := p.check(m, ActJoinTeam); err != nil {
		return err
	}
	t, err := p.teamAndParticipant(team, participant)
	if err != nil {
		return err
	}
	kind, _ := tpl.TeamKind(t.Kind)
	if other, in := p.Collab.TeamOf(participant, t.Kind); in {
		return refuse("already_in_team", fmt.Sprintf("%s ist bereits im Team %q / is already in team %q", participant, other.Name, other.Name))
	}
	if len(t.Members) >= kind.Max {
		return refuse("team_size", fmt.Sprintf("%s %q ist voll: %s / %s %q is full: %s", kind.Title.De, t.Name, SizeRule(kind, "de"),
			kind.Title.En, t.Name, SizeRule(kind, "en")))
	}
	if t.Coach == participant {
		return refuse("coach_not_member", "Der Coach eines Teams ist nicht sein Mitglied / a team's coach is not its member")
	}
	p.record(m, TeamMemberJoined{Team: team, Participant: participant})
	return nil
}

// SizeRule says a team kind's size rule in words: "genau 2 Mitglieder" / "3–6 members".
func SizeRule(k template.TeamKind, lang string) string {
	if lang == "en" {
		if k.Min == k.Max {
			return fmt.Sprintf("exactly %d members", k.Min)
		}
		return fmt.Sprintf("%d–%d members", k.Min, k.Max)
	}
	if k.Min == k.Max {
		return fmt.Sprintf("genau %d Mitglieder", k.Min)
	}
	return fmt.Sprintf("%d–%d Mitglieder", k.Min, k.Max)
}

// LeaveTeam removes a participant from a team.
func (p *Process) LeaveTeam(m Meta, team, participant, reason string) error {
	if err := p.check(m, ActLeaveTeam); err != nil {
		return err
	}
	if t, ok := p.Collab.Teams[team]; !ok || !slices.Contains(t.Members, participant) {
		return invalid("participant", "%q is not a member of team %q", participant, team)
	}
	if err := text("reason", reason, false, maxText); err != nil {
		return err
	}
	p.record(m, TeamMemberLeft{Team: team, Participant: participant, Reason: reason})
	return nil
}

// AssignCoach assigns a participant (e.g. an external coaching partner) as a team's coach,
// replacing the coach before. Leads assign.
func (p *Process) AssignCoach(m Meta, team, participant string) error {
	if err := p.check(m, ActAssignCoach); err != nil {
		return err
	}
	t, err := p.teamAndParticipant(team, participant)
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(t.Members, participant):
		return refuse("coach_not_member", "Der Coach eines Teams ist nicht sein Mitglied / a team's coach is not its member")
	case t.Coach == participant:
		return refuse("coach_assigned", "Coach ist bereits zugeordnet / coach already assigned")
	}
	p.record(m, CoachAssigned{Team: team, Participant: participant})
	return nil
}

// TakeRole gives a participant a process role the template declares, within its limit.
func (p *Process) TakeRole(m Meta, tpl template.Template, role, participant string) error {
	if err := p.check(m, ActTakeRole); err != nil {
		return err
	}
	r, ok := tpl.ProcessRole(role)
	if !ok {
		return invalid("role", "%q is not a process role of template %s", role, tpl.ID)
	}
	if err := p.activeParticipant(participant); err != nil {
		return err
	}
	holders := p.Collab.Roles[role]
	switch {
	case slices.Contains(holders, participant):
		return refuse("role_taken", participant+" hat die Rolle bereits / already holds the role "+role)
	case r.Max > 0 && len(holders) >= r.Max:
		return refuse("role_limit", fmt.Sprintf("%s: höchstens %d / %s: at most %d", r.Title.De, r.Max, r.Title.En, r.Max))
	}
	p.record(m, RoleTaken{Role: role, Participant: participant})
	return nil
}

// ReleaseRole ends a participant's process role.
func (p *Process) ReleaseRole(m Meta, role, participant, reason string) error {
	if err := p.check(m, ActReleaseRole); err != nil {
		return err
	}
	if !slices.Contains(p.Collab.Roles[role], participant) {
		return invalid("participant", "%q does not hold the role %q", participant, role)
	}
	if err := text("reason", reason, false, maxText); err != nil {
		return err
	}
	p.record(m, RoleReleased{Role: role, Participant: participant, Reason: reason})
	return nil
}

// JoinOrganisation records an organisation taking part; its contact's name comes sealed.
func (p *Process) JoinOrganisation(m Meta, o OrganisationJoined) error {
	if err := p.check(m, ActJoinOrganisation); err != nil {
		return err
	}
	_, exists := p.Collab.Organisations[o.Organisation]
	if err := p.newID("organisation", o.Organisation, exists); err != nil {
		return err
	}
	if err := text("name", o.Name, true, 300); err != nil {
		return err
	}
	if err := oneOf("group", o.Group, template.Groups); err != nil {
		return err
	}
	if o.ContactName.IsZero() != (o.Contact == "") || (!o.ContactEmail.IsZero() && o.Contact == "") {
		return invalid("contact", "a contact person needs a name, and a name needs a contact person")
	}
	p.record(m, o)
	return nil
}

// ErasureReason is the reason recorded when the erasure of a person ends their team memberships
// and process roles.
const ErasureReason = "Löschung nach Art. 17 DSGVO / erasure (Art. 17 GDPR)"

// ActEndMemberships is the action of EndMemberships.
const ActEndMemberships Action = "end_memberships"

// EndMemberships ends a participant's team memberships and process roles because the person was
// erased: one TeamMemberLeft per team and one RoleReleased per role, each with ErasureReason, so
// that the history shows that a member left and the team's size counts only its remaining
// members. Erasure cannot wait, so the process's status does not matter. Administrators of the
// process's tenant do this; a participant without memberships records nothing.
func (p *Process) EndMemberships(m Meta, participant string) error {
	if p.Version == 0 || !m.Actor.Sees(p.Tenant) {
		return ErrNotFound
	}
	if m.Actor.Role != template.RoleAdministrator {
		return &ForbiddenError{Role: m.Actor.Role, Action: string(ActEndMemberships)}
	}
	if _, ok := p.Participants[participant]; !ok {
		return invalid("participant", "%q is not registered", participant)
	}
	for _, key := range slices.Sorted(maps.Keys(p.Collab.Teams)) {
		if slices.Contains(p.Collab.Teams[key].Members, participant) {
			p.record(m, TeamMemberLeft{Team: key, Participant: participant, Reason: ErasureReason})
		}
	}
	for _, role := range slices.Sorted(maps.Keys(p.Collab.Roles)) {
		if slices.Contains(p.Collab.Roles[role], participant) {
			p.record(m, RoleReleased{Role: role, Participant: participant, Reason: ErasureReason})
		}
	}
	return nil
}
