package template

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ErrInvalid means a template breaks a rule; the error is a *ValidationError listing every problem.
var ErrInvalid = errors.New("template: invalid")

// Problem is one rule a template breaks, at a path such as "stages[2].gates[0].expr".
type Problem struct {
	// Path names the offending part of the template.
	Path string `json:"path"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Line and Column locate the part in the YAML or JSON document (from 1); 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// ValidationError lists every problem of a template.
type ValidationError struct {
	// Problems are in document order.
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
		if p.Line > 0 {
			parts[i] = fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, parts[i])
		}
	}
	return "template: invalid: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// GateChecker type-checks a gate expression. It returns nil or an error whose message gives the
// position in the expression.
type GateChecker interface {
	Check(expr string) error
}

var (
	idPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}$`)
	keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

type checker struct{ problems []Problem }

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) key(path, key string, seen map[string]bool) {
	switch {
	case !keyPattern.MatchString(key):
		c.add(path, "%q is not a key (lower case letters, digits and '_', starting with a letter)", key)
	case seen[key]:
		c.add(path, "%q is used twice", key)
	}
	seen[key] = true
}

func (c *checker) text(path string, t Text, required bool) {
	if required && (strings.TrimSpace(t.De) == "" || strings.TrimSpace(t.En) == "") {
		c.add(path, "needs a German (de) and an English (en) text")
	}
}

// Validate checks the whole template and returns a *ValidationError with every problem, or nil.
// gates type-checks every gate expression; nil skips that check.
func Validate(t *Template, gates GateChecker) error {
	c := &checker{}
	if !idPattern.MatchString(t.ID) {
		c.add("id", "%q is not a template ID (2–63 lower case letters, digits and '-')", t.ID)
	}
	c.text("title", t.Title, true)
	if len(t.Stages) == 0 {
		c.add("stages", "a template needs at least one stage")
	}
	c.terms("own_groups", t.OwnGroups, Groups)
	c.terms("own_formats", t.OwnFormats, Formats)
	for i, g := range t.StakeholderGroups {
		if _, ok := t.GroupTitle(g); !ok {
			c.add(fmt.Sprintf("stakeholder_groups[%d]", i), "%q is not a stakeholder group (%s, or one of own_groups)", g, keys(Groups))
		}
	}
	for i, f := range t.Formats {
		if _, ok := t.FormatTitle(f); !ok {
			c.add(fmt.Sprintf("formats[%d]", i), "%q is not a format (%s, or one of own_formats)", f, keys(Formats))
		}
	}
	stageSeen := map[string]bool{}
	for i, s := range t.Stages {
		c.stage(fmt.Sprintf("stages[%d]", i), s, t.Stages[:i], stageSeen, gates)
	}
	c.collab(t)
	c.time(t)
	if len(c.problems) > 0 {
		return &ValidationError{Problems: c.problems}
	}
	return nil
}

func (c *checker) stage(path string, s Stage, earlier []Stage, seen map[string]bool, gates GateChecker) {
	c.key(path+".key", s.Key, seen)
	c.text(path+".title", s.Title, true)
	if s.TargetDays < 0 {
		c.add(path+".target_days", "%d is negative", s.TargetDays)
	}
	taskSeen := map[string]bool{}
	for j, task := range s.Tasks {
		tp := fmt.Sprintf("%s.tasks[%d]", path, j)
		c.key(tp+".key", task.Key, taskSeen)
		c.text(tp+".title", task.Title, true)
	}
	gateSeen := map[string]bool{}
	for j, g := range s.Gates {
		gp := fmt.Sprintf("%s.gates[%d]", path, j)
		c.key(gp+".key", g.Key, gateSeen)
		c.text(gp+".title", g.Title, true)
		switch {
		case strings.TrimSpace(g.Expr) == "":
			c.add(gp+".expr", "is empty")
		case gates != nil:
			if err := gates.Check(g.Expr); err != nil {
				c.add(gp+".expr", "stage %q, gate %q: %v", s.Key, g.Key, err)
			}
		}
	}
	for j, r := range s.AdvanceRoles {
		if !contains(Roles, r) || r == RoleAuditor || r == RoleViewer || r == RoleCoordinator {
			c.add(fmt.Sprintf("%s.advance_roles[%d]", path, j), "%q is not a role that may act (administrator, lead, member)", r)
		}
	}
	apSeen := map[string]bool{}
	for j, a := range s.Approvals {
		ap := fmt.Sprintf("%s.approvals[%d]", path, j)
		c.key(ap+".key", a.Key, apSeen)
		c.text(ap+".title", a.Title, true)
		for k, r := range a.Roles {
			if !contains(Roles, r) || r == RoleAuditor || r == RoleViewer || r == RoleCoordinator {
				c.add(fmt.Sprintf("%s.roles[%d]", ap, k), "%q is not a role that may act", r)
			}
		}
	}
	for j, b := range s.BackTo {
		found := false
		for _, e := range earlier {
			found = found || e.Key == b
		}
		if !found {
			c.add(fmt.Sprintf("%s.back_to[%d]", path, j), "%q is not an earlier stage: going back is only possible to an earlier stage", b)
		}
	}
}

func keys(m map[string]Text) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// Hash returns the content hash of the template: SHA-256 over its JSON form without the version,
// in hexadecimal. Two templates with the same content have the same hash.
func Hash(t Template) string {
	t.Version = 0
	b, err := json.Marshal(t)
	if err != nil {
		panic(err) // a Template always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
