package template

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/period"
)

// time checks the template's calendar, time zone, named dates and deadlines, and that gates read
// only deadlines and dates the template declares.
func (c *checker) time(t *Template) {
	c.calendar("calendar", t.Calendar)
	c.zone("time_zone", t.TimeZone)
	dateSeen := map[string]bool{}
	for i, d := range t.Dates {
		path := fmt.Sprintf("dates[%d]", i)
		c.key(path+".key", d.Key, dateSeen)
		c.text(path+".title", d.Title, true)
	}
	deadlineSeen := map[string]bool{}
	for i, d := range t.Deadlines {
		c.deadline(fmt.Sprintf("deadlines[%d]", i), t, d, deadlineSeen)
	}
	for i, s := range t.Stages {
		for j, g := range s.Gates {
			c.gateNames(fmt.Sprintf("stages[%d].gates[%d].expr", i, j), g.Expr, "deadlines", deadlineSeen)
			c.gateNames(fmt.Sprintf("stages[%d].gates[%d].expr", i, j), g.Expr, "dates", dateSeen)
		}
	}
}

func (c *checker) deadline(path string, t *Template, d Deadline, seen map[string]bool) {
	c.key(path+".key", d.Key, seen)
	c.text(path+".title", d.Title, true)
	if t.StageIndex(d.Stage) < 0 {
		c.add(path+".stage", "%q is not a stage of this template", d.Stage)
	}
	if d.MinDays < 0 || d.NoticeDays < 0 {
		c.add(path, "days must not be negative")
	}
	c.calendar(path+".calendar", d.Calendar)
	c.zone(path+".time_zone", d.TimeZone)
	if d.Kind == "" {
		if d.Anchor != nil || d.Days != 0 || d.Unit != "" || d.OnSuspend != "" || d.Optional || len(d.RemindDays) > 0 || d.EscalateDays != 0 {
			c.add(path+".kind", "is required with anchor, days, unit, optional, remind_days, escalate_days or on_suspend (one of %s)", strings.Join(Kinds, ", "))
		}
		return
	}
	if !slices.Contains(Kinds, d.Kind) {
		c.add(path+".kind", "%q is not a kind of deadline (%s)", d.Kind, strings.Join(Kinds, ", "))
	}
	if d.MinDays != 0 || d.NoticeDays != 0 {
		c.add(path, "min_days and notice_days are the old form: with kind, give days and unit")
	}
	if d.Days < 1 || d.Days > 3660 {
		c.add(path+".days", "%d is not a length between 1 and 3660", d.Days)
	}
	if d.Unit != "" && !period.KnownUnit(period.Unit(d.Unit)) {
		c.add(path+".unit", "%q is not a unit (%v)", d.Unit, period.Units)
	}
	for j, n := range d.RemindDays {
		if n < 1 || n > 366 {
			c.add(fmt.Sprintf("%s.remind_days[%d]", path, j), "%d is not a number of days between 1 and 366", n)
		}
	}
	switch {
	case d.EscalateDays < 0 || d.EscalateDays > 366:
		c.add(path+".escalate_days", "%d is not a number of days between 1 and 366", d.EscalateDays)
	case d.EscalateDays > 0 && d.Kind == KindNotice:
		c.add(path+".escalate_days", "a notice period cannot escalate: its stage is entered only after it ended")
	}
	if d.Optional && (d.Anchor == nil || d.Anchor.Date == "") {
		c.add(path+".optional", "only a period that starts at a named date (anchor.date) can be optional")
	}
	if d.OnSuspend != "" && d.OnSuspend != "continue" && d.OnSuspend != "pause" {
		c.add(path+".on_suspend", "%q is neither continue nor pause", d.OnSuspend)
	}
	c.anchor(path+".anchor", t, d)
}

func (c *checker) anchor(path string, t *Template, d Deadline) {
	if d.Anchor == nil {
		if d.Kind == KindNotice {
			c.add(path, "a notice period needs an anchor (the date of the announcement or another stage), not its own stage's entry")
		}
		return
	}
	a, set := *d.Anchor, 0
	for _, s := range []string{a.Entered, a.Left, a.Date} {
		if s != "" {
			set++
		}
	}
	switch {
	case set != 1:
		c.add(path, "give exactly one of entered, left or date")
	case a.Entered != "" && t.StageIndex(a.Entered) < 0:
		c.add(path+".entered", "%q is not a stage of this template", a.Entered)
	case a.Left != "" && t.StageIndex(a.Left) < 0:
		c.add(path+".left", "%q is not a stage of this template", a.Left)
	case a.Date != "" && !t.DateDeclared(a.Date):
		c.add(path+".date", "%q is not a date of this template (declare it under dates)", a.Date)
	case d.Kind == KindNotice && a.Entered == d.Stage:
		c.add(path+".entered", "a notice period cannot start with the entry into the stage it announces")
	}
}

func (c *checker) calendar(path, code string) {
	if code != "" && !period.KnownCode(code) {
		c.add(path, "%q is not a calendar (%s)", code, strings.Join(period.Codes, ", "))
	}
}

func (c *checker) zone(path, zone string) {
	if zone == "" {
		return
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		c.add(path, "%q is not a time zone name of the IANA database, e.g. Europe/Berlin", zone)
	}
}

// gateNames checks that every <kind>.<key> an expression reads is declared.
func (c *checker) gateNames(path, expr, kind string, declared map[string]bool) {
	re := gateName[kind]
	for _, m := range re.FindAllStringSubmatch(expr, -1) {
		if !declared[m[1]] {
			c.add(path, "%s.%s: the template has no %s %q", kind, m[1], strings.TrimSuffix(kind, "s"), m[1])
		}
	}
}

var gateName = map[string]*regexp.Regexp{
	"deadlines": regexp.MustCompile(`\bdeadlines\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`),
	"dates":     regexp.MustCompile(`\bdates\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`),
}
