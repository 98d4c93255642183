package template

import (
	"fmt"
	"time"
)

// TeamKind is a kind of team a template's processes form, with its size rule, e.g. an EWS
// Entwicklungsteam of exactly two or a Leipzig Lösungsteam of three to six.
type TeamKind struct {
	// Key identifies the kind, e.g. "entwicklungsteam".
	Key string `json:"key"`
	// Title names the kind.
	Title Text `json:"title"`
	// Min is the least number of members a complete team has (at least 1).
	Min int `json:"min"`
	// Max is the most members a team may have; joining beyond it is refused.
	Max int `json:"max"`
	// Coached teams need a coach (Coachingpartner) to count as complete.
	Coached bool `json:"coached,omitempty"`
}

// ProcessRole is a role a participant can take in a process, e.g. coach, speaker, backbone or
// steering group.
type ProcessRole struct {
	// Key identifies the role, e.g. "steering_group".
	Key string `json:"key"`
	// Title names the role.
	Title Text `json:"title"`
	// Max is the most participants who may hold the role; 0 means no limit.
	Max int `json:"max,omitempty"`
}

// Indicator is a declared indicator (Kennzahl) with its baseline and target, e.g. of a
// wirkungsorientiertes Zielsystem or of a Collective Impact's shared measurement.
type Indicator struct {
	// Key identifies the indicator, e.g. "ausbildungsquote".
	Key string `json:"key"`
	// Name names the indicator.
	Name Text `json:"name"`
	// Unit is the unit of its values, e.g. "%" or "Personen".
	Unit string `json:"unit"`
	// Direction says which way is better: "increase" or "decrease".
	Direction string `json:"direction"`
	// Baseline is the value at the start, with its date and source.
	Baseline Measurement `json:"baseline"`
	// Target is the value to reach by its date.
	Target Measurement `json:"target"`
}

// Measurement is a value of an indicator at a date, with its source.
type Measurement struct {
	Value  float64   `json:"value"`
	Date   time.Time `json:"date"`
	Source string    `json:"source,omitempty"`
}

// Certificate is a certificate of attendance for a series of sessions (e.g. the six modules of a
// training series): issued to a participant who attended at least MinAttended held sessions of
// the format.
type Certificate struct {
	// Key identifies the certificate.
	Key string `json:"key"`
	// Title names the series, e.g. "Ko-kreative Projektentwicklung zum Gemeinwohl".
	Title Text `json:"title"`
	// Format is the format of the series' sessions, e.g. "training".
	Format string `json:"format"`
	// MinAttended is how many of the series' sessions a participant must have attended.
	MinAttended int `json:"min_attended"`
}

// FeedbackQuestion is a question participants rate after a session, on a scale of 1 to Scale.
type FeedbackQuestion struct {
	// Key identifies the question.
	Key string `json:"key"`
	// Text is the question.
	Text Text `json:"text"`
	// Scale is the highest rating (2–10); 1 is the lowest.
	Scale int `json:"scale"`
}

// DecisionBodies are the bodies that take decisions, with their German and English names.
var DecisionBodies = map[string]Text{
	"council":        {De: "Rat / Kreistag", En: "council"},
	"committee":      {De: "Ausschuss", En: "committee"},
	"administration": {De: "Verwaltungsspitze", En: "administration"},
	"steering_group": {De: "Steuerungsgruppe", En: "steering group"},
	"team":           {De: "Team", En: "team"},
	"participants":   {De: "Beteiligte", En: "participants"},
	"partners":       {De: "Partnerschaft", En: "partnership"},
}

// Directions are the ways an indicator can improve.
var Directions = map[string]Text{
	"increase": {De: "steigend besser", En: "higher is better"},
	"decrease": {De: "fallend besser", En: "lower is better"},
}

// TeamKind returns the team kind with key.
func (t *Template) TeamKind(key string) (TeamKind, bool) { return find(t.TeamKinds, key, TeamKind.key) }

// ProcessRole returns the process role with key.
func (t *Template) ProcessRole(key string) (ProcessRole, bool) {
	return find(t.ProcessRoles, key, ProcessRole.key)
}

// Indicator returns the declared indicator with key.
func (t *Template) Indicator(key string) (Indicator, bool) {
	return find(t.Indicators, key, Indicator.key)
}

// FeedbackQuestion returns the feedback question with key.
func (t *Template) FeedbackQuestion(key string) (FeedbackQuestion, bool) {
	return find(t.FeedbackQuestions, key, FeedbackQuestion.key)
}

// Certificate returns the certificate with key.
func (t *Template) Certificate(key string) (Certificate, bool) {
	return find(t.Certificates, key, Certificate.key)
}

func (k TeamKind) key() string         { return k.Key }
func (r ProcessRole) key() string      { return r.Key }
func (i Indicator) key() string        { return i.Key }
func (c Certificate) key() string      { return c.Key }
func (q FeedbackQuestion) key() string { return q.Key }

func find[T any](list []T, key string, keyOf func(T) string) (T, bool) {
	for _, x := range list {
		if keyOf(x) == key {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// collab checks the teams, roles, indicators, certificates and feedback questions.
func (c *checker) collab(t *Template) {
	seen := map[string]bool{}
	for i, k := range t.TeamKinds {
		path := fmt.Sprintf("team_kinds[%d]", i)
		c.key(path+".key", k.Key, seen)
		c.text(path+".title", k.Title, true)
		if k.Min < 1 || k.Max < k.Min {
			c.add(path, "min %d and max %d: need 1 ≤ min ≤ max", k.Min, k.Max)
		}
	}
	seen = map[string]bool{}
	for i, r := range t.ProcessRoles {
		path := fmt.Sprintf("process_roles[%d]", i)
		c.key(path+".key", r.Key, seen)
		c.text(path+".title", r.Title, true)
		if r.Max < 0 {
			c.add(path+".max", "%d is negative", r.Max)
		}
	}
	seen = map[string]bool{}
	for i, ind := range t.Indicators {
		c.indicator(fmt.Sprintf("indicators[%d]", i), ind, seen)
	}
	seen = map[string]bool{}
	for i, cert := range t.Certificates {
		path := fmt.Sprintf("certificates[%d]", i)
		c.key(path+".key", cert.Key, seen)
		c.text(path+".title", cert.Title, true)
		if _, ok := Formats[cert.Format]; !ok {
			c.add(path+".format", "%q is not a format (%s)", cert.Format, keys(Formats))
		}
		if cert.MinAttended < 1 {
			c.add(path+".min_attended", "%d: at least 1", cert.MinAttended)
		}
	}
	seen = map[string]bool{}
	for i, q := range t.FeedbackQuestions {
		path := fmt.Sprintf("feedback_questions[%d]", i)
		c.key(path+".key", q.Key, seen)
		c.text(path+".text", q.Text, true)
		if q.Scale < 2 || q.Scale > 10 {
			c.add(path+".scale", "%d is not between 2 and 10", q.Scale)
		}
	}
}

// indicator checks one declared indicator; processes declare theirs with the same rules
// (CheckIndicator).
func (c *checker) indicator(path string, ind Indicator, seen map[string]bool) {
	c.key(path+".key", ind.Key, seen)
	c.text(path+".name", ind.Name, true)
	if ind.Unit == "" || len(ind.Unit) > 50 {
		c.add(path+".unit", "is required (at most 50 bytes)")
	}
	if _, ok := Directions[ind.Direction]; !ok {
		c.add(path+".direction", "%q is not increase or decrease", ind.Direction)
	}
	if ind.Baseline.Date.IsZero() {
		c.add(path+".baseline.date", "is required")
	}
	if ind.Target.Date.IsZero() {
		c.add(path+".target.date", "is required")
	} else if ind.Target.Date.Before(ind.Baseline.Date) {
		c.add(path+".target.date", "is before the baseline's date")
	}
	if ind.Direction == "increase" && ind.Target.Value < ind.Baseline.Value || ind.Direction == "decrease" && ind.Target.Value > ind.Baseline.Value {
		c.add(path+".target.value", "%g lies the wrong way from the baseline %g for direction %s", ind.Target.Value, ind.Baseline.Value, ind.Direction)
	}
}

// CheckIndicator checks an indicator a process or programme declares, as a template's are
// checked; the problems come as a *ValidationError.
func CheckIndicator(ind Indicator) error {
	c := &checker{}
	c.indicator("indicator", ind, map[string]bool{})
	if len(c.problems) > 0 {
		return &ValidationError{Problems: c.problems}
	}
	return nil
}
