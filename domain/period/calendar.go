package period

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// DefaultZone is the time zone of periods when a template names none.
const DefaultZone = "Europe/Berlin"

// Codes are the calendars a template may name: "DE" (the nine nationwide holidays) and the
// sixteen German states by their ISO 3166-2 codes.
var Codes = []string{"DE", "DE-BB", "DE-BE", "DE-BW", "DE-BY", "DE-HB", "DE-HE", "DE-HH", "DE-MV",
	"DE-NI", "DE-NW", "DE-RP", "DE-SH", "DE-SL", "DE-SN", "DE-ST", "DE-TH"}

// KnownCode reports whether code names a calendar of Codes.
func KnownCode(code string) bool { return slices.Contains(Codes, code) }

// Holidays says which days are public holidays at a place.
type Holidays interface {
	// Holiday returns the holiday's name if the civil date is a public holiday.
	Holiday(year int, month time.Month, day int) (name string, ok bool)
}

// Calendars finds the holidays of a calendar code.
type Calendars interface {
	// Holidays returns the public holidays of code, one of Codes.
	Holidays(code string) (Holidays, error)
}

// Calendar is a place's calendar: its public holidays in its time zone.
type Calendar struct {
	// Code names the calendar, e.g. "DE-SN".
	Code string
	// Location is the time zone in which days begin and end.
	Location *time.Location
	// Holidays are the public holidays; nil means none (only weekends are free).
	Holidays Holidays
}

// Open returns the calendar of code in the time zone named zone ("" means DefaultZone).
func Open(cals Calendars, code, zone string) (Calendar, error) {
	if zone == "" {
		zone = DefaultZone
	}
	loc, err := location(zone)
	if err != nil {
		return Calendar{}, fmt.Errorf("period: time zone %q is unknown", zone)
	}
	if !KnownCode(code) {
		return Calendar{}, fmt.Errorf("period: calendar %q is unknown (one of %v)", code, Codes)
	}
	c := Calendar{Code: code, Location: loc}
	if cals != nil {
		h, err := cals.Holidays(code)
		if err != nil {
			return Calendar{}, err
		}
		c.Holidays = h
	}
	return c, nil
}

// locations caches the time zones loaded (time.LoadLocation reads and parses the database).
var locations sync.Map

func location(zone string) (*time.Location, error) {
	if loc, ok := locations.Load(zone); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, err
	}
	locations.Store(zone, loc)
	return loc, nil
}

// Day is a civil date, without time or zone.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf returns the civil date of the instant t in the calendar's time zone.
func (c Calendar) DayOf(t time.Time) Day {
	y, m, d := t.In(c.loc()).Date()
	return Day{y, m, d}
}

// AddDays returns the day n days later (earlier when n < 0).
func (d Day) AddDays(n int) Day { return d.norm(0, n) }

func (d Day) norm(months, days int) Day {
	y, m, dd := time.Date(d.Year, d.Month+time.Month(months), d.Day+days, 12, 0, 0, 0, time.UTC).Date()
	return Day{y, m, dd}
}

// Weekday returns the day of the week.
func (d Day) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// String formats the day as ISO 8601, e.g. "2027-01-15".
func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Start returns the instant the day begins (00:00) in the calendar's time zone.
func (c Calendar) Start(d Day) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, c.loc())
}

// Holiday returns the name of the public holiday on d, if it is one.
func (c Calendar) Holiday(d Day) (string, bool) {
	if c.Holidays == nil {
		return "", false
	}
	return c.Holidays.Holiday(d.Year, d.Month, d.Day)
}

// IsWorkingDayOf reports whether d is a working day: not a Saturday, Sunday or public holiday.
func (c Calendar) IsWorkingDayOf(d Day) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := c.Holiday(d)
	return !holiday
}

// IsWorkingDay reports whether the instant t falls on a working day in the calendar's zone.
func (c Calendar) IsWorkingDay(t time.Time) bool { return c.IsWorkingDayOf(c.DayOf(t)) }

// NextWorkingDay returns d if it is a working day, else the first working day after it.
func (c Calendar) NextWorkingDay(d Day) Day {
	for !c.IsWorkingDayOf(d) {
		d = d.AddDays(1)
	}
	return d
}

// AddWorkingDays returns the n-th working day after t's day (before it when n < 0) at t's local
// time of day; n = 0 returns t.
func (c Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	d, step := c.DayOf(t), 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDayOf(d) {
			n--
		}
	}
	lt := t.In(c.loc())
	return time.Date(d.Year, d.Month, d.Day, lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), c.loc())
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}
