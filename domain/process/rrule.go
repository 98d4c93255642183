package process

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RRule is a recurrence rule in the subset of RFC 5545 (section 3.3.10) that sessions use:
// FREQ=DAILY, WEEKLY or MONTHLY; INTERVAL; BYDAY (weekdays for WEEKLY, e.g. TH; with an ordinal
// for MONTHLY, e.g. 1TH or -1FR); and either COUNT or UNTIL, so that every series ends.
// Example: the Kokreative Kommune's community of practice, every four weeks on Thursdays:
// "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=12".
type RRule struct {
	Freq     string
	Interval int
	Count    int
	Until    time.Time
	ByDay    []WeekdayNum
}

// WeekdayNum is a BYDAY entry: a weekday with an optional ordinal within the month (0: none).
type WeekdayNum struct {
	Ordinal int
	Day     time.Weekday
}

var weekdays = map[string]time.Weekday{"MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday,
	"FR": time.Friday, "SA": time.Saturday, "SU": time.Sunday}

// maxOccurrences bounds a series.
const maxOccurrences = 500

// ParseRRule reads a rule of the subset; the error names the part that is wrong.
func ParseRRule(s string) (RRule, error) {
	r := RRule{Interval: 1}
	seen := map[string]bool{}
	for _, part := range strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "RRULE:"), ";") {
		name, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return r, fmt.Errorf("%q is not NAME=VALUE", part)
		}
		if seen[name] {
			return r, fmt.Errorf("%s is given twice", name)
		}
		seen[name] = true
		if err := r.set(name, value); err != nil {
			return r, err
		}
	}
	switch {
	case r.Freq == "":
		return r, fmt.Errorf("FREQ is required")
	case r.Count == 0 && r.Until.IsZero():
		return r, fmt.Errorf("COUNT or UNTIL is required, so that the series ends")
	case r.Count > 0 && !r.Until.IsZero():
		return r, fmt.Errorf("COUNT and UNTIL must not both be given (RFC 5545)")
	}
	for _, d := range r.ByDay {
		if (r.Freq == "MONTHLY") != (d.Ordinal != 0) || r.Freq == "DAILY" {
			return r, fmt.Errorf("BYDAY: ordinals (1TH, -1FR) go with FREQ=MONTHLY only, plain days with FREQ=WEEKLY only")
		}
	}
	return r, nil
}

func (r *RRule) set(name, value string) error {
	var err error
	switch name {
	case "FREQ":
		if !slices.Contains([]string{"DAILY", "WEEKLY", "MONTHLY"}, value) {
			return fmt.Errorf("FREQ=%s: only DAILY, WEEKLY and MONTHLY are supported", value)
		}
		r.Freq = value
	case "INTERVAL":
		r.Interval, err = bounded(name, value, 1, 366)
	case "COUNT":
		r.Count, err = bounded(name, value, 1, maxOccurrences)
	case "UNTIL":
		r.Until, err = time.Parse("20060102T150405Z", value)
		if err != nil {
			if r.Until, err = time.Parse("20060102", value); err == nil {
				r.Until = r.Until.Add(24*time.Hour - time.Second)
			}
		}
		if err != nil {
			return fmt.Errorf("UNTIL=%s: expected YYYYMMDD or YYYYMMDDTHHMMSSZ", value)
		}
	case "BYDAY":
		for _, d := range strings.Split(value, ",") {
			wd, ok := weekdays[d[max(0, len(d)-2):]]
			ord := 0
			if n := d[:max(0, len(d)-2)]; n != "" {
				ord, err = strconv.Atoi(n)
				ok = ok && err == nil && ord != 0 && ord >= -5 && ord <= 5
			}
			if !ok {
				return fmt.Errorf("BYDAY=%s: %q is not a weekday such as TH or 1TH", value, d)
			}
			r.ByDay = append(r.ByDay, WeekdayNum{Ordinal: ord, Day: wd})
		}
	default:
		return fmt.Errorf("%s is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYDAY)", name)
	}
	return err
}

func bounded(name, value string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%s: a whole number between %d and %d", name, value, lo, hi)
	}
	return n, nil
}

// Occurrences returns the series' starts from start (which is the first when it matches the
// rule), at most limit of them and never more than the rule's COUNT or after its UNTIL.
func (r RRule) Occurrences(start time.Time, limit int) []time.Time {
	limit = min(limit, maxOccurrences)
	if r.Count > 0 {
		limit = min(limit, r.Count)
	}
	var out []time.Time
	for period := 0; len(out) < limit && period < maxOccurrences*r.Interval; period += r.Interval {
		for _, t := range r.inPeriod(start, period) {
			if t.Before(start) || len(out) >= limit {
				continue
			}
			if !r.Until.IsZero() && t.After(r.Until) {
				return out
			}
			out = append(out, t)
		}
	}
	return out
}

// inPeriod returns the candidates of the period'th day, week or month after start's, in order.
func (r RRule) inPeriod(start time.Time, period int) []time.Time {
	y, m, d := start.Date()
	at := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, start.Hour(), start.Minute(), start.Second(), 0, start.Location())
	}
	switch {
	case r.Freq == "DAILY":
		return []time.Time{at(y, m, d+period)}
	case r.Freq == "WEEKLY" && len(r.ByDay) == 0:
		return []time.Time{at(y, m, d+7*period)}
	case r.Freq == "WEEKLY":
		monday := d - (int(start.Weekday())+6)%7 + 7*period
		var out []time.Time
		for _, wd := range r.ByDay {
			out = append(out, at(y, m, monday+(int(wd.Day)+6)%7))
		}
		slices.SortFunc(out, time.Time.Compare)
		return out
	case len(r.ByDay) == 0:
		if t := at(y, m+time.Month(period), d); t.Day() == d {
			return []time.Time{t}
		}
		return nil
	}
	var out []time.Time
	first := at(y, m+time.Month(period), 1)
	for _, wd := range r.ByDay {
		if t, ok := nthWeekday(first, wd); ok {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// nthWeekday returns the wd.Ordinal'th wd.Day of the month that starts at first (negative:
// counted from the end).
func nthWeekday(first time.Time, wd WeekdayNum) (time.Time, bool) {
	month := first.Month()
	if wd.Ordinal > 0 {
		t := first.AddDate(0, 0, (int(wd.Day)-int(first.Weekday())+7)%7+7*(wd.Ordinal-1))
		return t, t.Month() == month
	}
	last := first.AddDate(0, 1, -1)
	t := last.AddDate(0, 0, -((int(last.Weekday())-int(wd.Day)+7)%7 + 7*(-wd.Ordinal-1)))
	return t, t.Month() == month
}

// checkSchedule checks a session's duration and recurrence.
func checkSchedule(s SessionScheduled) error {
	if s.DurationMinutes < 0 || s.DurationMinutes > 14*24*60 {
		return invalid("duration_minutes", "%d is not between 0 and %d", s.DurationMinutes, 14*24*60)
	}
	if s.RRule == "" {
		return nil
	}
	if _, err := ParseRRule(s.RRule); err != nil {
		return invalid("rrule", "%v", err)
	}
	return nil
}
