package template

// Text is a user-facing text in German (default) and English.
type Text struct {
	// De is the German text.
	De string `json:"de"`
	// En is the English text.
	En string `json:"en"`
}

// In returns the text in lang ("en" or else German), falling back to the other language.
func (t Text) In(lang string) string {
	if lang == "en" && t.En != "" {
		return t.En
	}
	if t.De == "" {
		return t.En
	}
	return t.De
}

// Template is a process template. Published templates are immutable; a change is a new version.
type Template struct {
	// ID names the template across its versions, e.g. "kokreative-kommune".
	ID string `json:"id"`
	// Version is the published version number, starting at 1; 0 before publishing.
	Version int `json:"version,omitempty"`
	// Title is the template's name.
	Title Text `json:"title"`
	// Description says what the template is for.
	Description Text `json:"description,omitempty"`
	// Stages are the stages in order; a process starts in the first and completes after the last.
	Stages []Stage `json:"stages"`
	// StakeholderGroups are the groups the process expects to involve (see Groups).
	StakeholderGroups []string `json:"stakeholder_groups,omitempty"`
	// Formats are the formats of sessions the process expects (see Formats).
	Formats []string `json:"formats,omitempty"`
	// Deadlines are time limits with their legal basis.
	Deadlines []Deadline `json:"deadlines,omitempty"`
	// TeamKinds, ProcessRoles, Indicators, Certificates and FeedbackQuestions are declared in
	// collab.go.
	TeamKinds         []TeamKind         `json:"team_kinds,omitempty"`
	ProcessRoles      []ProcessRole      `json:"process_roles,omitempty"`
	Indicators        []Indicator        `json:"indicators,omitempty"`
	Certificates      []Certificate      `json:"certificates,omitempty"`
	FeedbackQuestions []FeedbackQuestion `json:"feedback_questions,omitempty"`
	// Calendar is the default calendar of the deadlines, e.g. "DE-SN" (see period.Codes); "" means "DE".
	Calendar string `json:"calendar,omitempty"`
	// TimeZone is the default time zone of the deadlines; "" means Europe/Berlin.
	TimeZone string `json:"time_zone,omitempty"`
	// Dates are the named dates a process may set (set_date), e.g. "announced_at".
	Dates []NamedDate `json:"dates,omitempty"`
	// OwnGroups and OwnFormats declare stakeholder groups and formats of this template beside
	// Groups and Formats, e.g. the authorities (Träger öffentlicher Belange) of land-use planning.
	OwnGroups  []Term `json:"own_groups,omitempty"`
	OwnFormats []Term `json:"own_formats,omitempty"`
}

// Stage is one stage (Phase) of a template.
type Stage struct {
	// Key identifies the stage within the template, e.g. "tender".
	Key string `json:"key"`
	// Title names the stage.
	Title Text `json:"title"`
	// Description says what happens in the stage.
	Description Text `json:"description,omitempty"`
	// Tasks are the stage's tasks.
	Tasks []Task `json:"tasks,omitempty"`
	// Gates are the exit conditions, all checked when a lead advances.
	Gates []Gate `json:"gates,omitempty"`
	// TargetDays is the planned duration of the stage in days; 0 means none.
	TargetDays int `json:"target_days,omitempty"`
	// AdvanceRoles are the roles that may advance from this stage; default lead and administrator.
	AdvanceRoles []string `json:"advance_roles,omitempty"`
	// Approvals must all be granted before the stage can be left.
	Approvals []Approval `json:"approvals,omitempty"`
	// BackTo lists earlier stages a process may go back to from here (a reason is required).
	BackTo []string `json:"back_to,omitempty"`
	// AutoAdvance lets the engine itself advance from this stage when one of its periods ends
	// and every exit condition holds then (the recorded actor is the system, "civicflow").
	AutoAdvance bool `json:"auto_advance,omitempty"`
}

// Task is a task (Aufgabe) of a stage.
type Task struct {
	// Key identifies the task within its stage.
	Key string `json:"key"`
	// Title names the task.
	Title Text `json:"title"`
	// Required tasks must be done before the stage can be left.
	Required bool `json:"required,omitempty"`
	// Evidence says what completes the task (Nachweis), e.g. "Veröffentlichung im Amtsblatt".
	Evidence Text `json:"evidence,omitempty"`
}

// Gate is an exit condition (Phasentor), an expression over the process state.
type Gate struct {
	// Key identifies the gate within its stage.
	Key string `json:"key"`
	// Title says in words what the gate checks; it is shown when the gate is not met.
	Title Text `json:"title"`
	// Expr is the condition, e.g. `tasks.required_done && participants.count >= 20`.
	Expr string `json:"expr"`
}

// Approval is a sign-off (Freigabe) required to leave a stage. The person who grants it must not
// be the process's lead (four-eyes principle).
type Approval struct {
	// Key identifies the approval, e.g. "department_head"; gates can ask approvals.has(key).
	Key string `json:"key"`
	// Title names who signs off, e.g. "Amtsleitung".
	Title Text `json:"title"`
	// Roles may grant the approval; default administrator.
	Roles []string `json:"roles,omitempty"`
}

// StageIndex returns the position of the stage with key, or -1.
func (t *Template) StageIndex(key string) int {
	for i, s := range t.Stages {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// Stage returns the stage with key.
func (t *Template) Stage(key string) (Stage, bool) {
	if i := t.StageIndex(key); i >= 0 {
		return t.Stages[i], true
	}
	return Stage{}, false
}

// Task returns the task with key in the stage.
func (s Stage) Task(key string) (Task, bool) {
	for _, t := range s.Tasks {
		if t.Key == key {
			return t, true
		}
	}
	return Task{}, false
}

// Approval returns the approval with key in the stage.
func (s Stage) Approval(key string) (Approval, bool) {
	for _, a := range s.Approvals {
		if a.Key == key {
			return a, true
		}
	}
	return Approval{}, false
}

// MayAdvance reports whether role may advance from the stage.
func (s Stage) MayAdvance(role string) bool {
	roles := s.AdvanceRoles
	if len(roles) == 0 {
		roles = []string{RoleLead, RoleAdministrator}
	}
	return contains(roles, role)
}

// MayGoBackTo reports whether the stage allows going back to the stage with key.
func (s Stage) MayGoBackTo(key string) bool { return contains(s.BackTo, key) }

// MayGrant reports whether role may grant the approval.
func (a Approval) MayGrant(role string) bool {
	if len(a.Roles) == 0 {
		return role == RoleAdministrator
	}
	return contains(a.Roles, role)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
