package programme

import (
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// ScheduleSession plans a session shared by all sites. Coordinators schedule.
func (p *Programme) ScheduleSession(m process.Meta, s SessionScheduled) error {
	if err := p.coordinator(m, "schedule a programme session"); err != nil {
		return err
	}
	if err := process.CheckText("session", s.Session, true, 100); err != nil {
		return err
	}
	if _, exists := p.Sessions[s.Session]; exists {
		return process.Refuse("duplicate_id", "session "+s.Session+" ist bereits vergeben / is already used")
	}
	if _, ok := template.Formats[s.Format]; !ok {
		return process.Invalid("format", "%q is not one of the known values", s.Format)
	}
	if err := process.CheckText("title", s.Title, true, 300); err != nil {
		return err
	}
	switch {
	case s.Date.IsZero():
		return process.Invalid("date", "is required")
	case s.DurationMinutes < 0 || s.DurationMinutes > 14*24*60:
		return process.Invalid("duration_minutes", "%d is not between 0 and %d", s.DurationMinutes, 14*24*60)
	case !s.Online && s.Place == "":
		return process.Invalid("place", "is required unless the session is online")
	}
	if s.RRule != "" {
		if _, err := process.ParseRRule(s.RRule); err != nil {
			return process.Invalid("rrule", "%v", err)
		}
	}
	p.record(m, s)
	return nil
}

// HoldSession records that a shared session took place. Coordinators hold.
func (p *Programme) HoldSession(m process.Meta, session, notes string) error {
	if err := p.coordinator(m, "hold a programme session"); err != nil {
		return err
	}
	s, ok := p.Sessions[session]
	switch {
	case !ok:
		return process.Invalid("session", "%q is not scheduled", session)
	case s.Held:
		return process.Refuse("session_held", "Veranstaltung bereits durchgeführt / session already held")
	case m.Now.Before(s.Date.Add(-24 * time.Hour)):
		return process.Refuse("session_in_future", "Die Veranstaltung liegt in der Zukunft / the session is in the future")
	}
	if err := process.CheckText("notes", notes, false, 10_000); err != nil {
		return err
	}
	p.record(m, SessionHeld{Session: session, Notes: notes, By: m.Actor.User, At: m.Now})
	return nil
}

// RecordAttendance records which persons of the actor's site attended a held shared session
// (replacing what the site recorded before). Persons are tenant-scoped person IDs; the engine
// scopes them. Administrators, leads and members of a member tenant record.
func (p *Programme) RecordAttendance(m process.Meta, session string, persons []string) error {
	if err := p.site(m, "record programme attendance"); err != nil {
		return err
	}
	s, ok := p.Sessions[session]
	switch {
	case !ok:
		return process.Invalid("session", "%q is not scheduled", session)
	case !s.Held:
		return process.Refuse("session_not_held", "Die Veranstaltung hat noch nicht stattgefunden / the session has not been held")
	case len(persons) > 1000:
		return process.Invalid("persons", "%d persons, more than 1000", len(persons))
	}
	seen := map[string]bool{}
	for _, x := range persons {
		if err := process.CheckText("persons", x, true, 200); err != nil {
			return err
		}
		if !strings.HasPrefix(x, m.Actor.Tenant+":") {
			return process.Invalid("persons", "%q is not a person of tenant %s", x, m.Actor.Tenant)
		}
		if seen[x] {
			return process.Invalid("persons", "%q is named twice", x)
		}
		seen[x] = true
	}
	p.record(m, AttendanceRecorded{Session: session, Tenant: m.Actor.Tenant, Persons: persons, By: m.Actor.User})
	return nil
}

// site checks that the actor acts for a member site: administrators, leads and members of a
// member tenant.
func (p *Programme) site(m process.Meta, action string) error {
	if err := p.exists(m); err != nil {
		return err
	}
	if !m.Actor.Acts() {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: action}
	}
	if _, ok := p.MemberOf(m.Actor.Tenant); !ok {
		return process.Refuse("not_a_member", "Ihr Standort nimmt nicht am Programm teil / your site does not take part in the programme")
	}
	return nil
}

func (p *Programme) coordinator(m process.Meta, action string) error {
	if err := p.exists(m); err != nil {
		return err
	}
	if !p.Coordinates(m.Actor) {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: action}
	}
	return nil
}
