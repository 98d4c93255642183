package verify

import (
	"errors"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/runner"
)

// Report is the outcome of a verification: every check in the order it ran.
type Report struct {
	// Scope is "store" or "process".
	Scope string `json:"scope"`
	// Process is the process checked (scope "process").
	Process string `json:"process,omitempty"`
	// OK is true when no check is broken (skipped checks do not count).
	OK bool `json:"ok"`
	// Checks are the checks run.
	Checks []Check `json:"checks"`
}

// Status of a check.
const (
	StatusOK      = "ok"
	StatusBroken  = "broken"
	StatusSkipped = "skipped"
)

// Check is one check's outcome.
type Check struct {
	// Name is stable: "log", "seals", "stream", "in_log", "inclusion", "read_model".
	Name string `json:"name"`
	// ReadModel names the read model of a "read_model" check.
	ReadModel string `json:"read_model,omitempty"`
	// Title says what was checked, in German and English.
	Title string `json:"title"`
	// Status is "ok", "broken" or "skipped".
	Status string `json:"status"`
	// Detail says what the check covered, or why it was skipped, in German and English.
	Detail string `json:"detail,omitempty"`
	// Problem is the first problem found (status "broken").
	Problem *Problem `json:"problem,omitempty"`
}

// Problem names what is wrong as precisely as the check can.
type Problem struct {
	// Message says what is wrong.
	Message string `json:"message"`
	// Stream, Version and Position locate a broken event.
	Stream   string `json:"stream,omitempty"`
	Version  int64  `json:"version,omitempty"`
	Position string `json:"position,omitempty"`
	// Checkpoint, Table, Row, Column, Stored and Replayed locate a read model's difference from
	// the replay: both cover the log up to the read model's checkpoint.
	Checkpoint string `json:"checkpoint,omitempty"`
	Table      string `json:"table,omitempty"`
	Row        string `json:"row,omitempty"`
	Column     string `json:"column,omitempty"`
	Stored     string `json:"stored,omitempty"`
	Replayed   string `json:"replayed,omitempty"`
}

// First returns the first broken check, nil when there is none.
func (r Report) First() *Check {
	for i := range r.Checks {
		if r.Checks[i].Status == StatusBroken {
			return &r.Checks[i]
		}
	}
	return nil
}

func (r *Report) add(c Check) { r.Checks = append(r.Checks, c) }

func (r Report) done() Report {
	r.OK = r.First() == nil
	return r
}

func (c Check) ok(detail string) Check {
	c.Status, c.Detail = StatusOK, detail
	return c
}

func (c Check) skipped(detail string) Check {
	c.Status, c.Detail = StatusSkipped, detail
	return c
}

// broken records err as the check's problem, located from an *eventstore.IntegrityError or a
// *runner.Mismatch when it is one.
func (c Check) broken(err error, detail string) Check {
	c.Status, c.Detail = StatusBroken, detail
	p := &Problem{Message: err.Error()}
	var ie *eventstore.IntegrityError
	var m *runner.Mismatch
	switch {
	case errors.As(err, &ie):
		p.Message, p.Stream, p.Version = ie.Problem, ie.Stream, ie.Version
		if ie.Position != eventstore.Start {
			p.Position = ie.Position.String()
		}
	case errors.As(err, &m):
		p.Message, p.Checkpoint, p.Table, p.Row, p.Column, p.Stored, p.Replayed = m.Problem, m.Position.String(), m.Table, m.Row, m.Column, m.Stored, m.Replayed
	}
	c.Problem = p
	return c
}
