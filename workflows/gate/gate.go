// Package gate compiles and evaluates gate expressions (Phasentore) with CEL (cel.dev/cel-go).
//
// The variables are the fields of process.GateFacts (tasks, participants, sessions,
// contributions, decisions, results, measures, approvals, stage, process, now, deadlines, dates,
// stays, last_decision, calendar), typed, so that a misspelt field or a wrong type is refused when
// a template is published:
//
//	tasks.required_done && participants.count >= 20 && approvals.has("department_head")
//	stage.days >= 30.0 && sessions.by_format["workshop"] >= 2
//	now - stage.entered_at >= duration("720h")
//	deadlines.publication.met && isWorkingDay(now) && now >= addWorkingDays(dates.announced_at, 5)
package gate

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/calendar"
)

// Gates compiles gate expressions once and evaluates them; it is safe for concurrent use.
type Gates struct {
	env       *cel.Env
	mu        sync.Mutex
	cache     map[string]cel.Program
	calendars period.Calendars
}

var (
	_ process.GateEvaluator            = (*Gates)(nil)
	_ interface{ Check(string) error } = (*Gates)(nil)
)

// New returns the gate language: CEL over the typed facts of a process, with the calendar
// functions isWorkingDay(timestamp) and addWorkingDays(timestamp, int) of the template's
// calendar (public holidays from workflows/calendar).
func New() (*Gates, error) {
	facts := reflect.TypeOf(process.GateFacts{})
	var native []any
	var opts []cel.EnvOption
	seen := map[reflect.Type]bool{}
	for i := range facts.NumField() {
		f := facts.Field(i)
		for _, t := range []reflect.Type{f.Type, elemOf(f.Type)} {
			if t != nil && t.Kind() == reflect.Struct && t != reflect.TypeOf(time.Time{}) && !seen[t] {
				seen[t] = true
				native = append(native, t)
			}
		}
		opts = append(opts, cel.Variable(f.Tag.Get("cel"), celType(f.Type)))
	}
	opts = append(opts, cel.OptionalTypes(), ext.NativeTypes(append([]any{ext.ParseStructTags(true)}, native...)...))
	approvals := cel.ObjectType(nativeName(reflect.TypeOf(process.ApprovalFacts{})))
	opts = append(opts, cel.Function("has",
		cel.MemberOverload("approvals_has_string", []*cel.Type{approvals, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(a, key ref.Val) ref.Val {
				facts, ok := a.Value().(process.ApprovalFacts)
				k, ok2 := key.Value().(string)
				if !ok || !ok2 {
					return types.NewErr("approvals.has: wrong argument types")
				}
				return types.Bool(slices.Contains(facts.Granted, k))
			}))),
		cel.Function("isWorkingDay", cel.Overload("is_working_day_timestamp", []*cel.Type{cel.TimestampType}, cel.BoolType, cel.LateFunctionBinding())),
		cel.Function("addWorkingDays", cel.Overload("add_working_days_timestamp_int", []*cel.Type{cel.TimestampType, cel.IntType}, cel.TimestampType, cel.LateFunctionBinding())))
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("gate: %w", err)
	}
	return &Gates{env: env, cache: map[string]cel.Program{}, calendars: calendar.Germany{}}, nil
}

// celType is the CEL type of a fact's Go type.
func celType(t reflect.Type) *cel.Type {
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return cel.TimestampType
	case t.Kind() == reflect.Map:
		return cel.MapType(cel.StringType, celType(t.Elem()))
	case t.Kind() == reflect.String:
		return cel.StringType
	case t.Kind() == reflect.Int64:
		return cel.IntType
	}
	return cel.ObjectType(nativeName(t))
}

// elemOf is the element type of a map, nil for other types.
func elemOf(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Map {
		return t.Elem()
	}
	return nil
}

// nativeName is the CEL type name ext.NativeTypes gives a Go struct type.
func nativeName(t reflect.Type) string {
	return t.PkgPath()[lastSlash(t.PkgPath())+1:] + "." + t.Name()
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// Check type-checks expr: it must compile and yield a bool. The error gives the position.
func (g *Gates) Check(expr string) error {
	_, err := g.program(expr)
	return err
}

func (g *Gates) program(expr string) (cel.Program, error) {
	g.mu.Lock()
	prg, ok := g.cache[expr]
	g.mu.Unlock()
	if ok {
		return prg, nil
	}
	ast, iss := g.env.Compile(expr)
	if iss.Err() != nil {
		return nil, errors.New(iss.Err().Error())
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("the expression yields %s, not a truth value (bool)", ast.OutputType())
	}
	prg, err := g.env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(100_000))
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.cache[expr] = prg
	g.mu.Unlock()
	return prg, nil
}

// Evaluate evaluates expr against the facts.
func (g *Gates) Evaluate(expr string, facts process.GateFacts) (bool, error) {
	prg, err := g.program(expr)
	if err != nil {
		return false, err
	}
	act, err := g.withCalendar(facts)
	if err != nil {
		return false, err
	}
	out, _, err := prg.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the expression yielded %v, not a truth value", out)
	}
	return b, nil
}

// factNames are the CEL names of the fields of process.GateFacts, by field index.
var factNames = func() []string {
	t := reflect.TypeOf(process.GateFacts{})
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("cel")
	}
	return names
}()

// activation gives each fact to the expression under its CEL name.
func activation(facts process.GateFacts) map[string]any {
	v := reflect.ValueOf(facts)
	out := make(map[string]any, len(factNames))
	for i, name := range factNames {
		out[name] = v.Field(i).Interface()
	}
	return out
}
