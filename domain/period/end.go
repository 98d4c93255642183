package period

import (
	"fmt"
	"slices"
	"time"
)

// Unit is the unit of a period's length.
type Unit string

// The units of a length. Days, weeks and months are calendar units (§§ 187, 188 BGB); working
// days count only days that are not Saturdays, Sundays or public holidays.
const (
	Days        Unit = "days"
	WorkingDays Unit = "working_days"
	Weeks       Unit = "weeks"
	Months      Unit = "months"
)

// Units lists the units in the order the documentation names them.
var Units = []Unit{Days, WorkingDays, Weeks, Months}

// KnownUnit reports whether u is one of Units.
func KnownUnit(u Unit) bool { return slices.Contains(Units, u) }

// Length is how long a period runs, e.g. 30 days or one month.
type Length struct {
	// Count is the number of units, at least 1.
	Count int
	// Unit is the unit; "" means Days.
	Unit Unit
}

// String gives the length in words, e.g. "30 days".
func (l Length) String() string {
	u := l.Unit
	if u == "" {
		u = Days
	}
	return fmt.Sprintf("%d %s", l.Count, u)
}

// LastDay returns the last day of a period of length l that starts with an event on day start,
// before § 193 BGB moves it: the day of the event is not counted (§ 187 Abs. 1); a period of
// weeks ends on the weekday of the event, a period of months on the day with the event's number
// or, if that month is shorter, on its last day (§ 188 Abs. 2 and 3). extra calendar days are
// added (an extension or a suspension that pauses the period).
func (c Calendar) LastDay(start Day, l Length, extra int) Day {
	var last Day
	switch l.Unit {
	case WorkingDays:
		last = c.DayOf(c.AddWorkingDays(c.Start(start).Add(12*time.Hour), l.Count))
	case Weeks:
		last = start.AddDays(7 * l.Count)
	case Months:
		first := Day{start.Year, start.Month, 1}.norm(l.Count, 0)
		last = first
		for next := first.AddDays(1); next.Month == first.Month && next.Day <= start.Day; next = next.AddDays(1) {
			last = next
		}
	default:
		last = start.AddDays(l.Count)
	}
	return last.AddDays(extra)
}

// EndDay returns the day on which the period ends: LastDay, moved by § 193 BGB to the next
// working day when it is a Saturday, a Sunday or a public holiday.
func (c Calendar) EndDay(start Day, l Length, extra int) Day {
	return c.NextWorkingDay(c.LastDay(start, l, extra))
}

// End returns the instant a period started by an event at anchor ends: the end of its last day
// (24:00 local time, the start of the following day).
func (c Calendar) End(anchor time.Time, l Length, extra int) time.Time {
	return c.Start(c.EndDay(c.DayOf(anchor), l, extra).AddDays(1))
}

// DaysLeft returns the whole days from now until end, counting a started day as one; 0 once the
// period has ended.
func DaysLeft(now, end time.Time) int64 {
	if !now.Before(end) {
		return 0
	}
	d := end.Sub(now)
	n := int64(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		n++
	}
	return n
}

// FormatEnd formats the end of a period as the end of its last day in loc: German "endet am
// 15.01.2027, 24:00 Uhr", English "ends on 15 Jan 2027, 24:00". An end that is not at midnight
// is given with its time.
func FormatEnd(end time.Time, loc *time.Location, lang string) string {
	if lang == "en" {
		return "ends on " + FormatInstant(end, loc, lang)
	}
	return "endet am " + FormatInstant(end, loc, lang)
}

// FormatInstant formats an instant in loc, midnight as 24:00 of the day before: German
// "15.01.2027, 24:00 Uhr", English "15 Jan 2027, 24:00".
func FormatInstant(at time.Time, loc *time.Location, lang string) string {
	if loc == nil {
		loc = time.UTC
	}
	t := at.In(loc)
	day, clock := t, t.Format("15:04")
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		day, clock = t.AddDate(0, 0, -1), "24:00"
	}
	if lang == "en" {
		return day.Format("2 Jan 2006") + ", " + clock
	}
	return day.Format("02.01.2006") + ", " + clock + " Uhr"
}
