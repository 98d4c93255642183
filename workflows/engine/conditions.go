package engine

import (
	"context"

	"github.com/civicflow/civicflow/domain/process"
)

// ExitConditions lists the exit conditions of a loaded process's current stage (required tasks,
// approvals and gates) and whether each holds now: what Advance and Complete would check. The
// web pages show them before a lead advances.
func (e *Engine) ExitConditions(ctx context.Context, p *process.Process) ([]process.Condition, error) {
	tpl, err := e.templateOf(ctx, p)
	if err != nil {
		return nil, err
	}
	gates, err := e.gatesFor(ctx, p)
	if err != nil {
		return nil, err
	}
	return p.ExitConditionsIn(tpl, gates, e.cfg.Calendars, e.cfg.Clock().UTC()), nil
}
