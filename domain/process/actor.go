package process

import (
	"slices"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/template"
)

// Actor is who issues a command: a user of a tenant in a role.
type Actor struct {
	// User identifies the person, e.g. "anna".
	User string
	// Tenant is the user's municipality or county.
	Tenant string
	// Role is one of template.Roles.
	Role string
	// Installation marks an administrator of the whole installation, who may act in every tenant.
	Installation bool
}

// Meta is the context of one command.
type Meta struct {
	// CommandID makes the command idempotent: the same ID again returns the first result.
	CommandID string
	// Request identifies the request that carried the command, e.g. "sha256:" and a hash of an
	// HTTP request's method, route and body (at most 100 bytes). It is recorded with the command's
	// events; the same CommandID with another Request is refused instead of being answered as a
	// duplicate. Empty: not recorded, not compared.
	Request string
	// Actor issues the command.
	Actor Actor
	// Now is the command's time, from the engine's clock.
	Now time.Time
	// Calendars gives the public holidays that periods count with; nil means none (only
	// weekends are free). The engine sets it.
	Calendars period.Calendars
}

// Action names a command for authorisation and idempotency.
type Action string

// The actions a process knows.
const (
	ActOpen           Action = "open"
	ActCompleteTask   Action = "complete_task"
	ActReopenTask     Action = "reopen_task"
	ActGrantApproval  Action = "grant_approval"
	ActRevokeApproval Action = "revoke_approval"
	ActAdvance        Action = "advance"
	ActGoBack         Action = "go_back"
	ActRegister       Action = "register_participant"
	ActWithdraw       Action = "withdraw_participant"
	ActSchedule       Action = "schedule_session"
	ActHold           Action = "hold_session"
	ActContribute     Action = "record_contribution"
	ActDecide         Action = "record_decision"
	ActPublishResult  Action = "publish_result"
	ActDefineMeasure  Action = "define_measure"
	ActReportProgress Action = "report_progress"
	ActSuspend        Action = "suspend"
	ActResume         Action = "resume"
	ActCancel         Action = "cancel"
	ActComplete       Action = "complete"
	ActMigrate        Action = "migrate"
	ActRead           Action = "read"
)

var (
	leads   = []string{template.RoleAdministrator, template.RoleLead}
	workers = []string{template.RoleAdministrator, template.RoleLead, template.RoleMember}
	readers = template.Roles
)

// roles says which roles may issue each command; advancing, going back and approvals are
// decided by the template instead.
var roles = map[Action][]string{
	ActOpen: leads, ActCompleteTask: workers, ActReopenTask: workers,
	ActRegister: workers, ActWithdraw: workers, ActSchedule: workers, ActHold: workers,
	ActContribute: workers, ActDecide: leads, ActPublishResult: leads, ActDefineMeasure: leads,
	ActReportProgress: workers, ActSuspend: leads, ActResume: leads, ActCancel: leads,
	ActComplete: leads, ActMigrate: {template.RoleAdministrator}, ActRead: readers,
}

// Allowed reports whether the actor's role may issue the action at all.
func (a Actor) Allowed(act Action) bool { return slices.Contains(roles[act], a.Role) }

// Sees reports whether the actor may see a process of tenant.
func (a Actor) Sees(tenant string) bool { return a.Installation || a.Tenant == tenant }

func authorise(a Actor, act Action) error {
	if !a.Allowed(act) {
		return &ForbiddenError{Role: a.Role, Action: string(act)}
	}
	return nil
}

// RolesFor returns the roles that may issue act, in the order of template.Roles; nil for the
// actions a template decides (advance, go_back and approvals) and for unknown actions.
func RolesFor(act Action) []string {
	if act == ActAdvance || act == ActGoBack || act == ActGrantApproval || act == ActRevokeApproval {
		return nil
	}
	return slices.Clone(roles[act])
}
