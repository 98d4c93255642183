package httpapi

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/processlist"
)

// calEvent is one entry of the calendar feed.
type calEvent struct {
	uid, summary, description, location string
	start                               time.Time
	alarms                              []int  // days before start
	minutes                             int    // how long it lasts; 0: an instant (a period's end)
	rrule                               string // a series (RFC 5545 RRULE, validated when scheduled)
}

// calendar answers GET /api/v1/calendar.ics: the ends of the running legal periods of the
// tenant's active processes (with their reminders as alarms), their sessions to come and those of
// the programmes the tenant coordinates or takes part in, as
// iCalendar for calendar programs. Authorised like the API; viewers see no personal data (the
// feed has none: titles, places, legal bases).
func (a *API) calendar(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	query := processlist.Query{Status: string(process.StatusActive), Limit: 500}
	if tenant, visible := tenantFilter(actor, ""); !visible {
		query.Tenants = []string{}
	} else if tenant != "" {
		query.Tenants = []string{tenant}
	}
	a.catchUpList(r.Context())
	now := a.cfg.Clock()
	var events []calEvent
	for {
		page, err := a.cfg.List.Query(query)
		if err != nil {
			return err
		}
		for _, s := range page.Items {
			evs, err := a.calendarOf(r, actor, s, now)
			if err != nil {
				return err
			}
			events = append(events, evs...)
		}
		if page.Next == "" {
			break
		}
		query.After = page.Next
	}
	shared, err := a.programmeSessions(r, actor, now)
	if err != nil {
		return err
	}
	events = append(events, shared...)
	sort.Slice(events, func(i, j int) bool { return events[i].start.Before(events[j].start) })
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="civicflow.ics"`)
	_, err = w.Write([]byte(writeCalendar(events, now)))
	return err
}

// calendarOf lists one process's running periods and coming sessions.
func (a *API) calendarOf(r *http.Request, actor process.Actor, s processlist.Summary, now time.Time) ([]calEvent, error) {
	p, err := a.cfg.Engine.Load(r.Context(), actor, s.ID)
	if err != nil {
		return nil, nil // gone or invisible meanwhile
	}
	tv, err := a.cfg.Engine.Template(r.Context(), p.TemplateID, p.TemplateVersion)
	if err != nil {
		return nil, err
	}
	var out []calEvent
	for _, ps := range p.Periods(tv.Template, a.cfg.Engine.Calendars(), now) {
		if !ps.Enforced || !ps.Started || ps.Ended {
			continue
		}
		out = append(out, calEvent{uid: "period-" + p.ID.String() + "-" + ps.Key + "-" + strconv.FormatInt(ps.EndsAt.Unix(), 10),
			summary: "Fristende / period ends: " + ps.Title.De + " – " + p.Title, start: ps.EndsAt, alarms: ps.RemindDays,
			description: fmt.Sprintf("%s / %s (%s)", period.FormatEnd(ps.EndsAt, ps.Calendar.Location, "de"),
				period.FormatEnd(ps.EndsAt, ps.Calendar.Location, "en"), ps.LegalBasis)})
	}
	for _, x := range p.Sessions {
		// A series stays in the feed while it runs (its RRULE says when it ends); a single
		// session until it is held or past.
		if x.RRule != "" || !x.Held && x.Date.After(now) {
			out = append(out, calEvent{uid: "session-" + p.ID.String() + "-" + x.Session, summary: x.Title + " – " + p.Title,
				start: x.Date, location: x.Place, description: x.Format, minutes: x.DurationMinutes, rrule: x.RRule})
		}
	}
	return out, nil
}

// programmeSessions lists the coming shared sessions (and running series) of the programmes the
// actor sees: the coordinating tenant's and the member sites'.
func (a *API) programmeSessions(r *http.Request, actor process.Actor, now time.Time) ([]calEvent, error) {
	list, err := a.cfg.Engine.Programmes(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	var out []calEvent
	for _, p := range list {
		for _, x := range p.Sessions {
			if x.RRule != "" || !x.Held && x.Date.After(now) {
				out = append(out, calEvent{uid: "programme-session-" + p.ID.String() + "-" + x.Session, summary: x.Title + " – " + p.Title,
					start: x.Date, location: x.Place, description: x.Format, minutes: x.DurationMinutes, rrule: x.RRule})
			}
		}
	}
	return out, nil
}

// writeCalendar renders the feed.
func writeCalendar(events []calEvent, now time.Time) string {
	var c ical
	c.line("BEGIN", "VCALENDAR")
	c.line("VERSION", "2.0")
	c.line("PRODID", "-//civicflow//Fristen und Termine//DE")
	c.line("CALSCALE", "GREGORIAN")
	c.text("X-WR-CALNAME", "civicflow: Fristen und Termine")
	for _, e := range events {
		c.line("BEGIN", "VEVENT")
		c.line("UID", e.uid+"@civicflow")
		c.at("DTSTAMP", now)
		c.at("DTSTART", e.start)
		if e.minutes > 0 {
			c.line("DURATION", "PT"+strconv.Itoa(e.minutes)+"M")
		}
		if e.rrule != "" {
			c.line("RRULE", e.rrule)
		}
		c.text("SUMMARY", e.summary)
		if e.description != "" {
			c.text("DESCRIPTION", e.description)
		}
		if e.location != "" {
			c.text("LOCATION", e.location)
		}
		for _, d := range e.alarms {
			c.line("BEGIN", "VALARM")
			c.line("ACTION", "DISPLAY")
			c.text("DESCRIPTION", e.summary)
			c.line("TRIGGER", "-P"+strconv.Itoa(d)+"D")
			c.line("END", "VALARM")
		}
		c.line("END", "VEVENT")
	}
	c.line("END", "VCALENDAR")
	return c.String()
}
