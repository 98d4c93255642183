package programme

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// OpenInput is what opening a programme needs.
type OpenInput struct {
	// ID is the new programme's ID (the engine derives it from the command ID).
	ID uuid.UUID
	// Title names the programme, e.g. "EWS Runde 3".
	Title string
	// Coordinator names the coordinating organisation.
	Coordinator string
	// Template is the template the member sites' processes are expected to use (optional).
	Template string
	// Start and End are the programme's duration (dates; End not before Start).
	Start, End time.Time
	// MaxSites limits the member sites (1–1000).
	MaxSites int
}

// Open opens a programme in the actor's tenant, the coordinating organisation's. Administrators
// and coordinators open programmes.
func Open(m process.Meta, in OpenInput) (*Programme, error) {
	if m.Actor.Role != template.RoleAdministrator && m.Actor.Role != template.RoleCoordinator {
		return nil, &process.ForbiddenError{Role: m.Actor.Role, Action: "open a programme"}
	}
	if m.Actor.Tenant == "" {
		return nil, process.Invalid("tenant", "is required: the programme belongs to the actor's tenant")
	}
	for _, err := range []error{
		process.CheckText("title", in.Title, true, 300), process.CheckText("coordinator", in.Coordinator, true, 300),
		process.CheckText("template", in.Template, false, 100),
	} {
		if err != nil {
			return nil, err
		}
	}
	switch {
	case in.ID == uuid.Nil:
		return nil, process.Invalid("id", "is required")
	case in.Start.IsZero():
		return nil, process.Invalid("start", "is required")
	case in.End.IsZero():
		return nil, process.Invalid("end", "is required")
	case in.End.Before(in.Start):
		return nil, process.Invalid("end", "%s is before the start %s", in.End.Format(time.DateOnly), in.Start.Format(time.DateOnly))
	case in.MaxSites < 1 || in.MaxSites > 1000:
		return nil, process.Invalid("max_sites", "%d is not between 1 and 1000", in.MaxSites)
	}
	p := New(in.ID)
	p.record(m, Opened{Title: in.Title, Tenant: m.Actor.Tenant, Coordinator: in.Coordinator, Template: in.Template,
		Start: in.Start, End: in.End, MaxSites: in.MaxSites, By: m.Actor.User, At: m.Now})
	return p, nil
}

// Join makes a process a member site. The engine has checked that the actor sees the process
// (member.Tenant is the process's). Administrators and leads of that tenant join, knowing the
// programme's ID from its coordinators; a tenant takes part with one process; a full programme
// refuses (rule max_sites), and so does one that ended; a programme with a template takes only
// processes of it (or of a tenant's own template derived under the same ID).
func (p *Programme) Join(m process.Meta, member Member) error {
	if p.Version == 0 {
		return process.ErrNotFound
	}
	if m.Actor.Role != template.RoleAdministrator && m.Actor.Role != template.RoleLead {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: "join a programme"}
	}
	if err := process.CheckText("site", member.Site, true, 300); err != nil {
		return err
	}
	if x, ok := p.Members[member.Process]; ok && !x.Left {
		return process.Refuse("already_member", "Das Verfahren nimmt bereits teil / the process is already a member")
	}
	if x, ok := p.MemberOf(member.Tenant); ok {
		return process.Refuse("site_already_member", fmt.Sprintf("%s nimmt bereits mit einem Verfahren teil (%s) / %s already takes part with a process (%s)",
			member.Tenant, x.Site, member.Tenant, x.Site))
	}
	if p.Template != "" && member.Template != p.Template && !strings.HasSuffix(member.Template, ":"+p.Template) {
		return process.Refuse("wrong_template", fmt.Sprintf("Das Programm verlangt Verfahren der Vorlage %s, nicht %s / the programme takes processes of template %s, not %s",
			p.Template, member.Template, p.Template, member.Template))
	}
	if n := len(p.ActiveMembers()); n >= p.MaxSites {
		return process.Refuse("max_sites", fmt.Sprintf("Das Programm hat bereits %d von höchstens %d Standorten / the programme already has %d of at most %d sites",
			n, p.MaxSites, n, p.MaxSites))
	}
	if !p.End.IsZero() && m.Now.After(endOfDay(p.End)) {
		return process.Refuse("programme_ended", "Das Programm ist am "+p.End.Format("02.01.2006")+" zu Ende gegangen / the programme ended on "+p.End.Format(time.DateOnly))
	}
	p.record(m, ProcessJoined{Process: member.Process, Tenant: member.Tenant, Site: member.Site, By: m.Actor.User, At: m.Now})
	return nil
}

// Leave ends a member's membership, for a reason: the member tenant's administrators and leads,
// or the programme's coordinators.
func (p *Programme) Leave(m process.Meta, processID, reason string) error {
	if err := p.exists(m); err != nil {
		return err
	}
	x, ok := p.Members[processID]
	switch {
	case !ok || x.Left:
		return process.Invalid("process", "%q is not a member", processID)
	case !p.Coordinates(m.Actor) && !(m.Actor.Tenant == x.Tenant && slices.Contains([]string{template.RoleAdministrator, template.RoleLead}, m.Actor.Role)):
		return &process.ForbiddenError{Role: m.Actor.Role, Action: "leave the programme"}
	}
	if err := process.CheckText("reason", reason, true, 10_000); err != nil {
		return err
	}
	p.record(m, ProcessLeft{Process: processID, Reason: reason, By: m.Actor.User, At: m.Now})
	return nil
}

// exists hides a programme the actor may not see (ErrNotFound, never forbidden).
func (p *Programme) exists(m process.Meta) error {
	if !p.Sees(m.Actor) {
		return process.ErrNotFound
	}
	return nil
}

func endOfDay(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d+1, 0, 0, 0, 0, t.Location())
}
