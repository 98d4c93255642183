// Package calendar gives the public holidays of Germany and of each German state, from
// github.com/rickar/cal/v2/de, to the periods of the domain (period.Calendars).
//
//	cal, err := period.Open(calendar.Germany{}, "DE-SN", "Europe/Berlin")
//	cal.IsWorkingDay(reformationDay) // false in Saxony, true in North Rhine-Westphalia
package calendar

import (
	"fmt"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/de"

	"github.com/civicflow/civicflow/domain/period"
)

// states maps each calendar code of period.Codes to its holidays.
var states = map[string][]*cal.Holiday{
	"DE": de.Holidays, "DE-BB": de.HolidaysBB, "DE-BE": de.HolidaysBE, "DE-BW": de.HolidaysBW,
	"DE-BY": de.HolidaysBY, "DE-HB": de.HolidaysHB, "DE-HE": de.HolidaysHE, "DE-HH": de.HolidaysHH,
	"DE-MV": de.HolidaysMV, "DE-NI": de.HolidaysNI, "DE-NW": de.HolidaysNW, "DE-RP": de.HolidaysRP,
	"DE-SH": de.HolidaysSH, "DE-SL": de.HolidaysSL, "DE-SN": de.HolidaysSN, "DE-ST": de.HolidaysST,
	"DE-TH": de.HolidaysTH,
}

// Germany finds the public holidays of Germany ("DE") and of its states ("DE-SN", …).
type Germany struct{}

var _ period.Calendars = Germany{}

// Holidays returns the public holidays of code.
func (Germany) Holidays(code string) (period.Holidays, error) {
	h, ok := cached[code]
	if !ok {
		return nil, fmt.Errorf("calendar: %q is not a German calendar (one of %v)", code, period.Codes)
	}
	return h, nil
}

// cached holds one calendar per code, each computing a year's holidays once.
var cached = func() map[string]*holidays {
	out := make(map[string]*holidays, len(states))
	for code, rules := range states {
		out[code] = &holidays{rules: rules, years: map[int]map[[2]int]string{}}
	}
	return out
}()

// holidays is a list of holiday rules; a day is a holiday when a rule falls on it that year. The
// holidays of each year asked are computed once (Easter and its feasts take some arithmetic).
type holidays struct {
	rules []*cal.Holiday
	mu    sync.Mutex
	years map[int]map[[2]int]string // year → (month, day) → name
}

// Holiday returns the holiday's German name if the date is a public holiday.
func (h *holidays) Holiday(year int, month time.Month, day int) (string, bool) {
	h.mu.Lock()
	days, ok := h.years[year]
	if !ok {
		days = map[[2]int]string{}
		for _, rule := range h.rules {
			if actual, _ := rule.Calc(year); !actual.IsZero() {
				days[[2]int{int(actual.Month()), actual.Day()}] = rule.Name
			}
		}
		h.years[year] = days
	}
	h.mu.Unlock()
	name, ok := days[[2]int{int(month), day}]
	return name, ok
}
