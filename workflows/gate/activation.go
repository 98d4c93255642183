package gate

import (
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
)

// withCalendar gives an expression the facts (activation) and the calendar functions bound to
// the facts' calendar.
func (g *Gates) withCalendar(facts process.GateFacts) (cel.Activation, error) {
	vars := activation(facts)
	code := facts.Calendar.Code
	if code == "" {
		code = "DE"
	}
	cal, err := period.Open(g.calendars, code, facts.Calendar.Zone)
	if err != nil {
		return nil, err
	}
	return cel.FunctionVars(vars, map[string]cel.LateBoundFunction{
		"isWorkingDay": func(_ string, args ...ref.Val) ref.Val {
			t, ok := args[0].Value().(time.Time)
			if !ok {
				return types.NewErr("isWorkingDay: not a timestamp")
			}
			return types.Bool(cal.IsWorkingDay(t))
		},
		"addWorkingDays": func(_ string, args ...ref.Val) ref.Val {
			t, ok := args[0].Value().(time.Time)
			n, ok2 := args[1].Value().(int64)
			if !ok || !ok2 || n > 10_000 || n < -10_000 {
				return types.NewErr("addWorkingDays: a timestamp and a number of days up to 10000")
			}
			return types.Timestamp{Time: cal.AddWorkingDays(t, int(n))}
		},
	})
}
