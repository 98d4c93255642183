package engine

import (
	"context"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
	"github.com/civicflow/civicflow/domain/template"
)

// programmeGates evaluates gates with the facts of the programme the process is a member site
// of (GateFacts.Programme), which the process's own stream does not hold.
type programmeGates struct {
	process.GateEvaluator
	facts process.ProgrammeFacts
}

// Evaluate evaluates expr with the programme's facts added.
func (g programmeGates) Evaluate(expr string, f process.GateFacts) (bool, error) {
	f.Programme = g.facts
	return g.GateEvaluator.Evaluate(expr, f)
}

// gatesFor returns the gate evaluator for a process: the configured one, with the facts of the
// programme the process is an active member site of.
func (e *Engine) gatesFor(ctx context.Context, p *process.Process) (process.GateEvaluator, error) {
	facts, err := e.ProgrammeFacts(ctx, p)
	if err != nil {
		return nil, err
	}
	return programmeGates{GateEvaluator: e.cfg.Gates, facts: facts}, nil
}

// ProgrammeFacts returns what the gates of a process see of the programme it is an active member
// site of (process.NoProgramme when it is none): the programme's held shared sessions and those
// its site's persons attended, in all and per format.
func (e *Engine) ProgrammeFacts(ctx context.Context, p *process.Process) (process.ProgrammeFacts, error) {
	facts := process.NoProgramme()
	reader := process.Actor{User: "gates", Role: template.RoleAuditor, Installation: true}
	list, err := e.Programmes(ctx, reader)
	if err != nil {
		return facts, err
	}
	for _, prog := range list {
		if m, ok := prog.Members[p.ID.String()]; ok && !m.Left {
			return siteFacts(prog, m.Tenant), nil
		}
	}
	return facts, nil
}

func siteFacts(prog *programme.Programme, tenant string) process.ProgrammeFacts {
	f := process.NoProgramme()
	f.Member = true
	for _, s := range prog.Sessions {
		if !s.Held {
			continue
		}
		f.Held++
		f.HeldByFormat[s.Format]++
		if n := len(s.Attendance[tenant]); n > 0 {
			f.Attended++
			f.AttendedByFormat[s.Format]++
			f.Attendances += int64(n)
		}
	}
	return f
}
