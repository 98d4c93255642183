package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// indicatorChart draws an indicator's values over time against its baseline and target as inline
// SVG: the baseline and target as labelled horizontal lines, the values as a line from the
// baseline. Its Desc says the same in words; the page also lists the values in a table.
type indicatorChart struct {
	ID, Title, Desc          string
	Width, Height            int
	BaselineY, TargetY       int
	BaselineLabel, TargetLbl string
	Points                   string // the polyline's points
	Dots                     []chartDot
	Left, Right              int
	// From and To label the time axis's ends; AxisY is where.
	From, To string
	AxisY    int
}

type chartDot struct{ X, Y int }

const (
	chartW, chartH       = 700, 215
	chartLeft, chartRght = 10, 430
	chartTop, chartBot   = 15, 185
)

// newIndicatorChart lays out the indicator with its values (in the order recorded) and latest
// value.
func newIndicatorChart(p *page, ind domain.Indicator, values []domain.Measurement, latest domain.Measurement) indicatorChart {
	lo, hi := min(ind.Baseline.Value, ind.Target.Value), max(ind.Baseline.Value, ind.Target.Value)
	from, to := ind.Baseline.Date, ind.Target.Date
	for _, v := range values {
		lo, hi = min(lo, v.Value), max(hi, v.Value)
		if v.Date.After(to) {
			to = v.Date
		}
		if v.Date.Before(from) {
			from = v.Date
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	y := func(v float64) int { return chartBot - int((v-lo)/(hi-lo)*float64(chartBot-chartTop)+0.5) }
	x := func(t time.Time) int {
		span := to.Sub(from)
		if span <= 0 {
			return chartLeft
		}
		return chartLeft + int(float64(t.Sub(from))/float64(span)*float64(chartRght-chartLeft)+0.5)
	}
	name := p.Text(ind.Name)
	c := indicatorChart{ID: "ind-" + ind.Key, Title: name, Width: chartW, Height: chartH, Left: chartLeft, Right: chartRght,
		From: p.Date(from), To: p.Date(to), AxisY: chartBot + 24,
		BaselineY: y(ind.Baseline.Value), TargetY: y(ind.Target.Value),
		BaselineLabel: p.T("indicator.baseline") + " " + number(ind.Baseline.Value, ind.Unit),
		TargetLbl:     p.T("indicator.target") + " " + number(ind.Target.Value, ind.Unit)}
	points := []string{fmt.Sprintf("%d,%d", x(ind.Baseline.Date), c.BaselineY)}
	for _, v := range values {
		d := chartDot{x(v.Date), y(v.Value)}
		c.Dots = append(c.Dots, d)
		points = append(points, fmt.Sprintf("%d,%d", d.X, d.Y))
	}
	c.Points = strings.Join(points, " ")
	state := p.T("indicator.open")
	if process.Reached(ind, latest.Value) {
		state = p.T("indicator.reached")
	}
	c.Desc = fmt.Sprintf(p.T("indicator.desc"), name, number(ind.Baseline.Value, ind.Unit), p.Date(ind.Baseline.Date),
		number(ind.Target.Value, ind.Unit), p.Date(ind.Target.Date), number(latest.Value, ind.Unit), p.Date(latest.Date), state)
	return c
}

// number formats a value with its unit, German decimal comma style being left to the reader:
// the shortest exact form ("4.5 %").
func number(v float64, unit string) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + unit
}
