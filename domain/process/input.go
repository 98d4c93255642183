package process

import "github.com/civicflow/civicflow/domain/template"

// CheckText checks a free-text input field as every command does: required when asked, at most
// max bytes, valid UTF-8. The error is an *InvalidError naming the field.
func CheckText(field, s string, required bool, max int) error { return text(field, s, required, max) }

// Invalid returns an *InvalidError naming the field and its problem.
func Invalid(field, format string, args ...any) error { return invalid(field, format, args...) }

// Refuse returns a *RefusedError with the rule's code and its reasons in the user's words.
func Refuse(rule string, reasons ...string) error { return refuse(rule, reasons...) }

// Acts reports whether the actor's role may act at all (administrators, leads, members);
// auditors, viewers and programme coordinators only read processes.
func (a Actor) Acts() bool {
	switch a.Role {
	case template.RoleAdministrator, template.RoleLead, template.RoleMember:
		return true
	}
	return false
}

// SeesPersonalData reports whether the actor may read participants' and users' names and
// contact data: viewers (the public) and programme coordinators may not.
func (a Actor) SeesPersonalData() bool {
	switch a.Role {
	case template.RoleAdministrator, template.RoleLead, template.RoleMember, template.RoleAuditor:
		return true
	}
	return false
}
