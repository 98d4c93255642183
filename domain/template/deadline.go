package template

import (
	"github.com/civicflow/civicflow/domain/period"
)

// The kinds of a deadline.
const (
	// KindMinimum is a minimum period: the stage must not be left before the period ends
	// (e.g. a publication of at least 30 days).
	KindMinimum = "minimum"
	// KindMaximum is a maximum period: the stage should be left before the period ends; it is
	// missed, not enforced, when it runs out.
	KindMaximum = "maximum"
	// KindNotice is a notice period before a start: the stage must not be entered before the
	// period that begins with the anchor (e.g. the announcement) has ended.
	KindNotice = "notice"
	// KindResponse is a period for responses: contributions received after its end are late.
	KindResponse = "response"
)

// Kinds lists the kinds of a deadline.
var Kinds = []string{KindMinimum, KindMaximum, KindNotice, KindResponse}

// Deadline is a time limit with its legal basis, e.g. a publication period. A deadline with a
// Kind is a rule the engine enforces; an old deadline with only MinDays or NoticeDays documents a
// limit (the audit report checks MinDays afterwards, gates may read it).
type Deadline struct {
	// Key identifies the deadline; gates read it as deadlines.<key>.
	Key string `json:"key"`
	// Title says what the deadline is.
	Title Text `json:"title"`
	// Stage is the stage the deadline is about: the stage that must last (minimum), be left
	// (maximum), be announced (notice) or that collects the responses (response).
	Stage string `json:"stage"`
	// Kind is one of Kinds; "" for an old, documenting deadline.
	Kind string `json:"kind,omitempty"`
	// Anchor is the event that starts the period; default the entry into Stage.
	Anchor *Anchor `json:"anchor,omitempty"`
	// Days is the length of the period in Unit, at least 1 when Kind is set.
	Days int `json:"days,omitempty"`
	// Unit is the unit of Days: days (default), working_days, weeks or months.
	Unit string `json:"unit,omitempty"`
	// Calendar names the public holidays, e.g. "DE-NW"; default the template's.
	Calendar string `json:"calendar,omitempty"`
	// TimeZone is where days begin and end; default the template's.
	TimeZone string `json:"time_zone,omitempty"`
	// Optional marks a period that applies only once its named date is set (anchor.date), e.g. a
	// republication that happens only when the draft changed.
	Optional bool `json:"optional,omitempty"`
	// OnSuspend says what a suspension of the process does to the period: "continue" (default)
	// or "pause" (the days the process was suspended are added).
	OnSuspend string `json:"on_suspend,omitempty"`
	// RemindDays are the days before the end at which a reminder is due (process.reminder_due),
	// e.g. [7, 1].
	RemindDays []int `json:"remind_days,omitempty"`
	// EscalateDays, when set, is how many days after the end an escalation is due
	// (process.escalation_due) if the process is then still in Stage: nobody has acted on the
	// period's end. Not for notice periods.
	EscalateDays int `json:"escalate_days,omitempty"`
	// MinDays is the least number of days the stage must last (old form, documenting).
	MinDays int `json:"min_days,omitempty"`
	// NoticeDays is how many days ahead the start must be announced (old form, documenting).
	NoticeDays int `json:"notice_days,omitempty"`
	// LegalBasis names the rule, e.g. "§ 3 Abs. 2 BauGB".
	LegalBasis string `json:"legal_basis,omitempty"`
}

// Anchor is the event that starts a period: exactly one of its fields is set.
type Anchor struct {
	// Entered starts the period when the process enters the stage with this key.
	Entered string `json:"entered,omitempty"`
	// Left starts the period when the process leaves the stage with this key.
	Left string `json:"left,omitempty"`
	// Date starts the period at the named date of this key (see Template.Dates).
	Date string `json:"date,omitempty"`
}

// NamedDate is a date a process records with the command set_date, e.g. when the publication
// was announced; deadlines may start at it and gates read it as dates.<key>.
type NamedDate struct {
	// Key identifies the date, e.g. "announced_at".
	Key string `json:"key"`
	// Title says what the date is.
	Title Text `json:"title"`
}

// Rule is a deadline in its normalised form, with every default applied.
type Rule struct {
	Deadline
	// Anchor is the event that starts the period.
	Anchor Anchor
	// Length is the period's length.
	Length period.Length
	// Calendar and TimeZone are the calendar's code and zone.
	Calendar, TimeZone string
	// Enforced is true for deadlines with a Kind: they block leaving or entering a stage.
	Enforced bool
	// Pause is true when a suspension pauses the period.
	Pause bool
}

// Rule returns the deadline as a rule. Old deadlines with MinDays become documenting minimum
// periods from the stage's entry; ok is false for deadlines that state no length (only NoticeDays
// or nothing): they have no anchor to count from.
func (t *Template) Rule(d Deadline) (r Rule, ok bool) {
	r = Rule{Deadline: d, Calendar: first(d.Calendar, t.Calendar, "DE"), TimeZone: first(d.TimeZone, t.TimeZone, period.DefaultZone)}
	r.Anchor = Anchor{Entered: d.Stage}
	if d.Anchor != nil {
		r.Anchor = *d.Anchor
	}
	switch {
	case d.Kind != "":
		r.Enforced, r.Pause = true, d.OnSuspend == "pause"
		r.Length = period.Length{Count: d.Days, Unit: period.Unit(first(d.Unit, string(period.Days)))}
	case d.MinDays > 0:
		r.Kind, r.Length = KindMinimum, period.Length{Count: d.MinDays, Unit: period.Days}
	default:
		return r, false
	}
	return r, true
}

// Rules returns every deadline of the template that is a rule, in template order.
func (t *Template) Rules() []Rule {
	var out []Rule
	for _, d := range t.Deadlines {
		if r, ok := t.Rule(d); ok {
			out = append(out, r)
		}
	}
	return out
}

// DateDeclared reports whether the template declares the named date key.
func (t *Template) DateDeclared(key string) bool {
	for _, d := range t.Dates {
		if d.Key == key {
			return true
		}
	}
	return false
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
