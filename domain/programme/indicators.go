package programme

import (
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// IndicatorDeclared declares an indicator the programme's partners share.
type IndicatorDeclared struct {
	Indicator template.Indicator `json:"indicator"`
}

// IndicatorValueRecorded records a value of a shared indicator, by a member site or the
// coordinators (Tenant says whose value it is).
type IndicatorValueRecorded struct {
	Indicator string    `json:"indicator"`
	Value     float64   `json:"value"`
	Date      time.Time `json:"date"`
	Source    string    `json:"source"`
	Tenant    string    `json:"tenant"`
	By        string    `json:"by"`
}

// Type returns "programme.indicator_declared".
func (IndicatorDeclared) Type() string { return "programme.indicator_declared" }

// Type returns "programme.indicator_value_recorded".
func (IndicatorValueRecorded) Type() string { return "programme.indicator_value_recorded" }

func init() {
	register[IndicatorDeclared](1)
	register[IndicatorValueRecorded](1)
}

// DeclareIndicator declares a shared indicator. Coordinators declare.
func (p *Programme) DeclareIndicator(m process.Meta, ind template.Indicator) error {
	if err := p.coordinator(m, "declare a programme indicator"); err != nil {
		return err
	}
	if _, exists := p.Indicators[ind.Key]; exists {
		return process.Refuse("duplicate_id", "indicator "+ind.Key+" ist bereits vergeben / is already used")
	}
	if err := template.CheckIndicator(ind); err != nil {
		ve := err.(*template.ValidationError)
		return process.Invalid(ve.Problems[0].Path, "%s", ve.Problems[0].Message)
	}
	p.record(m, IndicatorDeclared{Indicator: ind})
	return nil
}

// RecordIndicatorValue records a value of a shared indicator at a date (not in the future) with
// its source: the coordinators, or administrators, leads and members of a member site.
func (p *Programme) RecordIndicatorValue(m process.Meta, v IndicatorValueRecorded) error {
	if err := p.exists(m); err != nil {
		return err
	}
	_, member := p.MemberOf(m.Actor.Tenant)
	if !p.Coordinates(m.Actor) && !(member && m.Actor.Acts()) {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: "record a programme indicator value"}
	}
	if _, ok := p.Indicators[v.Indicator]; !ok {
		return process.Invalid("indicator", "%q is not an indicator of the programme", v.Indicator)
	}
	if err := process.CheckIndicatorValue(v.Value, v.Date, v.Source, m.Now); err != nil {
		return err
	}
	v.Tenant, v.By = m.Actor.Tenant, m.Actor.User
	p.record(m, v)
	return nil
}

// Latest returns a shared indicator's latest value by date, or its baseline without values.
func (p *Programme) Latest(key string) template.Measurement {
	ind := p.Indicators[key]
	latest := ind.Baseline
	for _, v := range p.Values[key] {
		if !v.Date.Before(latest.Date) {
			latest = template.Measurement{Value: v.Value, Date: v.Date, Source: v.Source}
		}
	}
	return latest
}
