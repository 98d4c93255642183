package demo

import (
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// The builder methods of teams, roles, organisations, decisions by a body, attendance, feedback
// and indicator values; participants are named by their number k (participantID).

// team forms a team of kind and lets the participants ks join it.
func (p *proc) team(id, kind, name string, ks ...int) {
	p.add("team-"+id, template.RoleLead, fixed(engine.FormTeam{Team: id, Kind: kind, Name: name}))
	for _, k := range ks {
		p.add("join-"+id+"-"+participantID(k), template.RoleMember, fixed(engine.JoinTeam{Team: id, Participant: participantID(k)}))
	}
}

// coach assigns participant k as the team's coach.
func (p *proc) coach(team string, k int) {
	p.add("coach-"+team, template.RoleLead, fixed(engine.AssignCoach{Team: team, Participant: participantID(k)}))
}

// role gives the participants ks a process role.
func (p *proc) role(role string, ks ...int) {
	for _, k := range ks {
		p.add("role-"+role+"-"+participantID(k), template.RoleMember, fixed(engine.TakeRole{Role: role, Participant: participantID(k)}))
	}
}

// organisation records an organisation taking part with participant k's person as its contact
// (0: none).
func (p *proc) organisation(id, name, group string, k int) {
	in := engine.JoinOrganisation{Organisation: id, Name: name, Group: group}
	if k > 0 {
		who := participant(p.tenant, p.n, k)
		in.Contact, in.ContactName, in.ContactEmail = who.ID, who.Name, who.Email
	}
	p.add("organisation-"+id, template.RoleMember, fixed(in))
}

// decideBy records a decision taken by a body (template.DecisionBodies), adopted or not.
func (p *proc) decideBy(d decision, id, body string, adopted bool) {
	p.add("decide-"+id, template.RoleLead, func(r *runner) engine.Command {
		return engine.RecordDecision{Decision: id, Subject: r.text(d.Subject), Model: d.Model, Outcome: r.text(d.Outcome), Votes: d.Votes,
			Body: body, Adopted: adopted}
	})
}

// attend records the participants ks as the attendance of a held session.
func (p *proc) attend(session string, ks ...int) {
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = participantID(k)
	}
	p.add("attend-"+session, template.RoleMember, fixed(engine.RecordAttendance{Session: session, Participants: ids}))
}

// feedback records participant k's ratings of a held session (and a text, personal data).
func (p *proc) feedback(session string, k int, ratings map[string]int, text string) {
	p.add("feedback-"+session+"-"+participantID(k), template.RoleMember, fixed(engine.GiveFeedback{
		Feedback: session + "-" + participantID(k), Session: session, Participant: participantID(k), Ratings: ratings, Text: text}))
}

// value records an indicator's value dated the step's day, with its source.
func (p *proc) value(indicator string, v float64, source string) {
	day := p.day
	p.add(p.numbered("value-"+indicator), template.RoleMember, func(r *runner) engine.Command {
		return engine.RecordIndicatorValue{Indicator: indicator, Value: v, Date: r.dayDate(day), Source: r.text(source)}
	})
}
