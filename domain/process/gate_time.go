package process

import (
	"slices"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// DeadlineFacts describe a template deadline: deadlines.<key>.met, .ends_at, .days_left, …
type DeadlineFacts struct {
	Kind       string    `cel:"kind"`
	Started    bool      `cel:"started"`
	StartedAt  time.Time `cel:"started_at"`
	EndsAt     time.Time `cel:"ends_at"`
	Ended      bool      `cel:"ended"`
	Met        bool      `cel:"met"`
	DaysLeft   int64     `cel:"days_left"`
	LegalBasis string    `cel:"legal_basis"`
}

// StayFacts describe the last stay in a stage: stays.<stage>.days, .entered_at, .left_at.
type StayFacts struct {
	EnteredAt time.Time `cel:"entered_at"`
	LeftAt    time.Time `cel:"left_at"`
	Days      float64   `cel:"days"`
	Visits    int64     `cel:"visits"`
}

// ContributionFacts count contributions, late ones, and both per stage they were recorded in.
type ContributionFacts struct {
	Count       int64            `cel:"count"`
	Late        int64            `cel:"late"`
	ByStage     map[string]int64 `cel:"by_stage"`
	LateByStage map[string]int64 `cel:"late_by_stage"`
}

// DecisionFacts describe the last decision recorded; Decided is false before the first.
type DecisionFacts struct {
	Decided bool   `cel:"decided"`
	Model   string `cel:"model"`
	Outcome string `cel:"outcome"`
}

// CalendarFacts name the template's calendar, used by isWorkingDay and addWorkingDays.
type CalendarFacts struct {
	Code string `cel:"code"`
	Zone string `cel:"zone"`
}

func (p *Process) timeFacts(f *GateFacts, tpl template.Template, cals period.Calendars, now time.Time) {
	f.Deadlines, f.Dates, f.Stays = map[string]DeadlineFacts{}, map[string]time.Time{}, map[string]StayFacts{}
	for _, s := range p.Periods(tpl, cals, now) {
		f.Deadlines[s.Key] = DeadlineFacts{Kind: s.Kind, Started: s.Started, StartedAt: s.StartedAt, EndsAt: s.EndsAt,
			Ended: s.Ended, Met: s.Met, DaysLeft: period.DaysLeft(now, s.EndsAt), LegalBasis: s.LegalBasis}
	}
	for k, v := range p.Time.Dates {
		f.Dates[k] = v
	}
	for _, v := range p.Timeline {
		s := f.Stays[v.Stage]
		end := v.Left
		if end.IsZero() {
			end = now
		}
		s.EnteredAt, s.LeftAt, s.Days, s.Visits = v.Entered, v.Left, end.Sub(v.Entered).Hours()/24, s.Visits+1
		f.Stays[v.Stage] = s
	}
	f.Tasks.CompletedAt = map[string]time.Time{}
	for _, k := range f.Tasks.Completed {
		f.Tasks.CompletedAt[k] = p.Time.TaskDone[p.Stage][k]
	}
	f.Contributions.ByStage, f.Contributions.LateByStage = map[string]int64{}, map[string]int64{}
	for k, v := range p.Time.Contributions {
		f.Contributions.ByStage[k] = int64(v)
	}
	for k, v := range p.Time.Late {
		f.Contributions.LateByStage[k] = int64(v)
		f.Contributions.Late += int64(v)
	}
	if n := len(p.Decisions); n > 0 {
		f.LastDecision = DecisionFacts{Decided: true, Model: p.Decisions[n-1].Model, Outcome: p.Decisions[n-1].Outcome}
	}
	f.Calendar = CalendarFacts{Code: first(tpl.Calendar, "DE"), Zone: first(tpl.TimeZone, period.DefaultZone)}
}

// gateRefusal refuses leaving the stage for unmet conditions and, when only time stands in the
// way of the gates, names the earliest instant at which they hold: the first end of a period at
// which every gate of the stage passes, with that period's legal basis.
func (p *Process) gateRefusal(tpl template.Template, gates GateEvaluator, m Meta, unmet []string) error {
	refusal := &RefusedError{Rule: "gates_not_met", Reasons: unmet}
	stage, _ := tpl.Stage(p.Stage)
	var ends []PeriodState
	for _, s := range p.Periods(tpl, m.Calendars, m.Now) {
		if s.Started && s.EndsAt.After(m.Now) {
			ends = append(ends, s)
		}
	}
	// Of periods that end together, the one a gate reads is named.
	read := func(s PeriodState) int {
		for _, g := range stage.Gates {
			if strings.Contains(g.Expr, "deadlines."+s.Key+".") {
				return 0
			}
		}
		return 1
	}
	slices.SortStableFunc(ends, func(a, b PeriodState) int {
		if c := a.EndsAt.Compare(b.EndsAt); c != 0 {
			return c
		}
		return read(a) - read(b)
	})
	for _, s := range ends {
		facts := p.FactsIn(tpl, m.Calendars, s.EndsAt)
		pass := len(stage.Gates) > 0
		for _, g := range stage.Gates {
			ok, err := gates.Evaluate(g.Expr, facts)
			pass = pass && ok && err == nil
		}
		if pass {
			refusal.EarliestAt = s.EndsAt
			refusal.Reasons = append(refusal.Reasons, "Phasentore frühestens erfüllt, wenn die Frist abläuft / gates hold at the earliest when the period ends: "+PeriodReason(s))
			break
		}
	}
	return refusal
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
