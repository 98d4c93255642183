package process

import (
	"math"
	"time"

	"github.com/civicflow/civicflow/domain/template"
)

// The actions of indicators.
const (
	ActDeclareIndicator Action = "declare_indicator"
	ActRecordValue      Action = "record_indicator_value"
)

func init() {
	roles[ActDeclareIndicator] = leads
	roles[ActRecordValue] = workers
}

// IndicatorOf returns an indicator the process declared or its template declares.
func (p *Process) IndicatorOf(tpl template.Template, key string) (template.Indicator, bool) {
	if d, ok := p.Collab.Indicators[key]; ok {
		return d.Indicator, true
	}
	return tpl.Indicator(key)
}

// Indicators returns every indicator of the process: the template's, then the process's own.
func (p *Process) Indicators(tpl template.Template) []template.Indicator {
	out := append([]template.Indicator(nil), tpl.Indicators...)
	for _, d := range p.Collab.Indicators {
		out = append(out, d.Indicator)
	}
	return out
}

// DeclareIndicator declares an indicator of the process, optionally attached to a measure.
func (p *Process) DeclareIndicator(m Meta, tpl template.Template, d IndicatorDeclared) error {
	if err := p.check(m, ActDeclareIndicator); err != nil {
		return err
	}
	if _, exists := p.IndicatorOf(tpl, d.Indicator.Key); exists {
		return refuse("duplicate_id", "indicator "+d.Indicator.Key+" ist bereits vergeben / is already used")
	}
	if err := template.CheckIndicator(d.Indicator); err != nil {
		ve := err.(*template.ValidationError)
		return invalid(ve.Problems[0].Path, "%s", ve.Problems[0].Message)
	}
	if _, ok := p.Measures[d.Measure]; d.Measure != "" && !ok {
		return invalid("measure", "%q is not defined", d.Measure)
	}
	p.record(m, d)
	return nil
}

// RecordIndicatorValue records a value of an indicator at a date (not in the future), with its
// source; who recorded it is the actor.
func (p *Process) RecordIndicatorValue(m Meta, tpl template.Template, v IndicatorValueRecorded) error {
	if err := p.check(m, ActRecordValue); err != nil {
		return err
	}
	if _, ok := p.IndicatorOf(tpl, v.Indicator); !ok {
		return invalid("indicator", "%q is not an indicator of the process or its template", v.Indicator)
	}
	if err := CheckIndicatorValue(v.Value, v.Date, v.Source, m.Now); err != nil {
		return err
	}
	v.By = m.Actor.User
	p.record(m, v)
	return nil
}

// CheckIndicatorValue checks a recorded value of an indicator: a finite number, a date not in the
// future (a day's grace for time zones) and a source.
func CheckIndicatorValue(value float64, date time.Time, source string, now time.Time) error {
	switch {
	case math.IsNaN(value) || math.IsInf(value, 0):
		return invalid("value", "is not a number")
	case date.IsZero():
		return invalid("date", "is required")
	case date.After(now.Add(24 * time.Hour)):
		return invalid("date", "%s is in the future", date.Format(time.DateOnly))
	}
	return text("source", source, true, 1000)
}

// Latest returns the indicator's latest value by date (the last recorded among equal dates), or
// its baseline when none was recorded.
func (p *Process) Latest(ind template.Indicator) template.Measurement {
	latest := ind.Baseline
	for _, v := range p.Collab.Values[ind.Key] {
		if !v.Date.Before(latest.Date) {
			latest = template.Measurement{Value: v.Value, Date: v.Date, Source: v.Source}
		}
	}
	return latest
}

// Reached reports whether a value reaches the indicator's target in its direction.
func Reached(ind template.Indicator, value float64) bool {
	if ind.Direction == "decrease" {
		return value <= ind.Target.Value
	}
	return value >= ind.Target.Value
}

func (p *Process) indicatorFacts(tpl template.Template) IndicatorFacts {
	f := IndicatorFacts{Latest: map[string]float64{}, Values: map[string]int64{}, Reached: map[string]bool{}}
	for _, ind := range p.Indicators(tpl) {
		latest := p.Latest(ind).Value
		f.Latest[ind.Key] = latest
		f.Values[ind.Key] = int64(len(p.Collab.Values[ind.Key]))
		f.Reached[ind.Key] = Reached(ind, latest)
	}
	return f
}
