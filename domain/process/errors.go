package process

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrNotFound means the process does not exist for the actor; another tenant's process is
	// reported as not found, never as forbidden.
	ErrNotFound = errors.New("process: not found")
	// ErrForbidden means the actor's role may not issue the command.
	ErrForbidden = errors.New("process: forbidden")
	// ErrRefused means a rule of the process refused the command; the error is a *RefusedError.
	ErrRefused = errors.New("process: refused")
	// ErrInvalid means the command's input is malformed; the error is an *InvalidError.
	ErrInvalid = errors.New("process: invalid input")
)

// RefusedError says which rule refused a command and, for gates, every unmet condition.
type RefusedError struct {
	// Rule is a stable code, e.g. "gates_not_met", "not_active", "four_eyes".
	Rule string
	// Reasons are the unmet conditions, in the user's words (German / English).
	Reasons []string
	// EarliestAt is the earliest instant at which a refused advance can pass, when it is known.
	EarliestAt time.Time
}

func (e *RefusedError) Error() string {
	if len(e.Reasons) == 0 {
		return "process: refused: " + e.Rule
	}
	return "process: refused: " + e.Rule + ": " + strings.Join(e.Reasons, "; ")
}

// Unwrap returns ErrRefused.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// InvalidError names the malformed field of a command.
type InvalidError struct {
	// Field is the input field, e.g. "progress".
	Field string
	// Problem says what is wrong.
	Problem string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("process: invalid %s: %s", e.Field, e.Problem)
}

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// ForbiddenError says which role may not do what.
type ForbiddenError struct {
	// Role is the actor's role.
	Role string
	// Action is the command.
	Action string
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("process: forbidden: role %q may not %s", e.Role, e.Action)
}

// Unwrap returns ErrForbidden.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

func refuse(rule string, reasons ...string) error { return &RefusedError{Rule: rule, Reasons: reasons} }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Problem: fmt.Sprintf(format, args...)}
}
