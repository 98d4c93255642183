package demo

import (
	"fmt"
	"strings"
	"time"
)

// at moves the clock to the next slot of day: working days from 08:00 German time, two minutes
// per command; a weekend day becomes the Monday after. Without advance the clock is as it is.
func (r *runner) at(day int) {
	r.day = day
	if r.advance == nil {
		r.now = r.clock()
		return
	}
	date := localDay(r.t0).AddDate(0, 0, day)
	for date.Weekday() == time.Saturday || date.Weekday() == time.Sunday {
		date = date.AddDate(0, 0, 1)
	}
	if !date.Equal(r.date) {
		r.date, r.slot = date, 0
	}
	target := local(date.Year(), date.Month(), date.Day(), 8, 0).Add(time.Duration(r.slot) * 2 * time.Minute)
	r.slot++
	r.moveTo(target)
	r.now = r.clock()
}

// moveTo advances the clock to t, if there is an advance and t is ahead.
func (r *runner) moveTo(t time.Time) {
	if r.advance == nil {
		return
	}
	if d := t.Sub(r.clock()); d > 0 {
		r.advance(d)
	}
}

// sessionDate is the date of a session: on its day of the calendar with a settable clock;
// without one, now for a session the script holds (it cannot wait for it), else In days ahead.
func (r *runner) sessionDate(s *session) time.Time {
	switch {
	case r.advance != nil:
		return dateOf(r.t0, s.day, s.m.At, s.m.Thursday)
	case s.held:
		return r.now
	default:
		return dateOf(r.now, s.day-r.day, s.m.At, s.m.Thursday)
	}
}

// dayDate is noon of calendar day d (a due date).
func (r *runner) dayDate(d int) time.Time {
	if r.advance != nil {
		return dateOf(r.t0, d, "12:00", false)
	}
	return dateOf(r.now, d-r.day, "12:00", false)
}

// text fills in {date}, the last working day before the current step (as in "Ratsbeschluss vom
// {date}"), and {year}, the current step's year.
func (r *runner) text(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	now := r.now
	if now.IsZero() {
		now = r.clock()
	}
	prev := localDay(now).AddDate(0, 0, -1)
	for prev.Weekday() == time.Saturday || prev.Weekday() == time.Sunday {
		prev = prev.AddDate(0, 0, -1)
	}
	return strings.NewReplacer("{date}", prev.Format("02.01.2006"), "{year}", fmt.Sprint(localDay(now).Year())).Replace(s)
}

// dateOf is the local calendar day of the demo's day d at hh:mm, moved off the weekend (or to
// the Thursday before).
func dateOf(t0 time.Time, d int, at string, thursday bool) time.Time {
	var hh, mm int
	if _, err := fmt.Sscanf(at, "%d:%d", &hh, &mm); err != nil {
		hh, mm = 18, 0
	}
	day := localDay(t0).AddDate(0, 0, d)
	switch {
	case thursday:
		day = day.AddDate(0, 0, -((int(day.Weekday()) - int(time.Thursday) + 7) % 7))
	case day.Weekday() == time.Saturday:
		day = day.AddDate(0, 0, -1)
	case day.Weekday() == time.Sunday:
		day = day.AddDate(0, 0, -2)
	}
	return local(day.Year(), day.Month(), day.Day(), hh, mm)
}

// localDay returns t's calendar day in German time, as midnight UTC of that date (for date
// arithmetic only).
func localDay(t time.Time) time.Time {
	y, m, d := t.In(zone(t)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// local returns the German wall-clock time y-m-d hh:mm.
func local(y int, m time.Month, d, hh, mm int) time.Time {
	noon := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	return time.Date(y, m, d, hh, mm, 0, 0, zone(noon))
}

// zone is German time at t: CEST from the last Sunday in March to the last Sunday in October
// (01:00 UTC both), CET otherwise. Computed rather than loaded, so that the demo does not depend
// on the machine's time zone database.
func zone(t time.Time) *time.Location {
	t = t.UTC()
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(t.Year(), m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	if !t.Before(lastSunday(time.March)) && t.Before(lastSunday(time.October)) {
		return cest
	}
	return cet
}

var (
	cet  = time.FixedZone("CET", 3600)
	cest = time.FixedZone("CEST", 7200)
)
