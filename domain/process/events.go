package process

import "time"

// Payload is the data of a process event. Each type has a stable wire name (Type) and a schema
// version; see Registry.
type Payload interface {
	// Type is the event's registered wire name, e.g. "process.stage_completed".
	Type() string
}

// Sealed is personal data encrypted with the key of one person (crypto-shredding): when the
// person is erased, the key is deleted and the data can never be read again, while the events
// and their hash chains stay as they are.
type Sealed struct {
	// Person is whose key encrypts the data.
	Person string `json:"person"`
	// Ciphertext is the encrypted data, base64.
	Ciphertext string `json:"ct"`
}

// IsZero reports whether nothing was sealed.
func (s Sealed) IsZero() bool { return s.Ciphertext == "" }

// ProcessOpened starts a process from a template version in its first stage.
type ProcessOpened struct {
	TemplateID      string    `json:"template_id"`
	TemplateVersion int       `json:"template_version"`
	TemplateHash    string    `json:"template_hash"`
	Title           string    `json:"title"`
	Tenant          string    `json:"tenant"`
	Lead            string    `json:"lead"`
	Programme       string    `json:"programme,omitempty"`
	Stage           string    `json:"stage"`
	At              time.Time `json:"at"`
}

// TaskCompleted records a task done, with its evidence.
type TaskCompleted struct {
	Stage    string `json:"stage"`
	Task     string `json:"task"`
	Evidence string `json:"evidence"`
	By       string `json:"by"`
	// At is when the task was completed (zero in events recorded before it was kept).
	At time.Time `json:"at,omitzero"`
}

// TaskReopened undoes a completed task.
type TaskReopened struct {
	Stage  string `json:"stage"`
	Task   string `json:"task"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// ApprovalGranted records a sign-off.
type ApprovalGranted struct {
	Stage    string `json:"stage"`
	Approval string `json:"approval"`
	By       string `json:"by"`
	Role     string `json:"role"`
	Note     string `json:"note,omitempty"`
}

// ApprovalRevoked withdraws a sign-off.
type ApprovalRevoked struct {
	Stage    string `json:"stage"`
	Approval string `json:"approval"`
	By       string `json:"by"`
	Reason   string `json:"reason"`
}

// StageCompleted moves a process from Stage to Next after every gate held.
type StageCompleted struct {
	Stage string    `json:"stage"`
	Next  string    `json:"next"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// StageReverted moves a process back to an earlier stage, for a reason.
type StageReverted struct {
	Stage  string    `json:"stage"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ParticipantRegistered adds a participant in a stakeholder group; name and e-mail are sealed.
type ParticipantRegistered struct {
	Participant string `json:"participant"`
	Person      string `json:"person"`
	Group       string `json:"group"`
	Name        Sealed `json:"name"`
	Email       Sealed `json:"email,omitzero"`
}

// ParticipantWithdrawn removes a participant.
type ParticipantWithdrawn struct {
	Participant string `json:"participant"`
	Reason      string `json:"reason,omitempty"`
}

// SessionScheduled plans a session (Veranstaltung) in a format.
type SessionScheduled struct {
	Session string    `json:"session"`
	Title   string    `json:"title"`
	Format  string    `json:"format"`
	Date    time.Time `json:"date"`
	Place   string    `json:"place,omitempty"`
	Online  bool      `json:"online,omitempty"`
	// DurationMinutes is how long each meeting lasts; RRule makes the session a series (RFC 5545
	// subset, see ParseRRule) starting at Date. Both are absent in sessions scheduled before.
	DurationMinutes int    `json:"duration_minutes,omitempty"`
	RRule           string `json:"rrule,omitempty"`
}

// SessionHeld records that a session took place and how many attended.
type SessionHeld struct {
	Session    string `json:"session"`
	Attendance int    `json:"attendance"`
	Notes      string `json:"notes,omitempty"`
}

// ContributionRecorded records a contribution (Beitrag); its text is sealed when tied to a person.
type ContributionRecorded struct {
	Contribution string `json:"contribution"`
	Session      string `json:"session,omitempty"`
	Participant  string `json:"participant,omitempty"`
	Topic        string `json:"topic,omitempty"`
	Text         Sealed `json:"text,omitzero"`
	PlainText    string `json:"plain_text,omitempty"`
	// ReceivedAt is when the contribution was received (a letter's date of receipt), as StatedBy
	// stated it; zero means when it was recorded.
	ReceivedAt time.Time `json:"received_at,omitzero"`
	StatedBy   string    `json:"stated_by,omitempty"`
	// Stage is the stage in which it was recorded; At when.
	Stage string    `json:"stage,omitempty"`
	At    time.Time `json:"at,omitzero"`
	// Late is set when it was received after the end of the period for responses then running.
	Late *Lateness `json:"late,omitempty"`
}

// Votes counts a vote.
type Votes struct {
	Yes     int `json:"yes"`
	No      int `json:"no"`
	Abstain int `json:"abstain"`
}

// DecisionRecorded records a decision with its model and outcome.
type DecisionRecorded struct {
	Decision string `json:"decision"`
	Subject  string `json:"subject"`
	Model    string `json:"model"`
	Outcome  string `json:"outcome"`
	Votes    *Votes `json:"votes,omitempty"`
	// Body is the body that decided (template.DecisionBodies), e.g. "council"; Adopted says
	// whether it adopted the subject. Both are absent in decisions recorded before they existed.
	Body    string `json:"body,omitempty"`
	Adopted bool   `json:"adopted,omitempty"`
}

// ResultPublished records a published result (Ergebnis).
type ResultPublished struct {
	Result  string `json:"result"`
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	URL     string `json:"url,omitempty"`
}

// MeasureDefined defines a measure (Maßnahme) to implement a result.
type MeasureDefined struct {
	Measure string    `json:"measure"`
	Title   string    `json:"title"`
	Owner   string    `json:"owner,omitempty"`
	Due     time.Time `json:"due,omitzero"`
}

// MeasureProgressReported reports a measure's progress (0–100 %) and status.
type MeasureProgressReported struct {
	Measure  string `json:"measure"`
	Progress int    `json:"progress"`
	Status   string `json:"status"`
	Note     string `json:"note,omitempty"`
}

// ProcessSuspended pauses a process.
type ProcessSuspended struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ProcessResumed continues a suspended process.
type ProcessResumed struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// ProcessCancelled ends a process early.
type ProcessCancelled struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ProcessCompleted ends a process after its last stage's gates held.
type ProcessCompleted struct {
	Stage string    `json:"stage"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// ProcessMigrated moves a running process to another version of its template.
type ProcessMigrated struct {
	FromVersion  int               `json:"from_version"`
	ToVersion    int               `json:"to_version"`
	TemplateHash string            `json:"template_hash"`
	StageMapping map[string]string `json:"stage_mapping"`
	Stage        string            `json:"stage"`
	Reason       string            `json:"reason"`
	By           string            `json:"by"`
	At           time.Time         `json:"at"`
	// Unmet lists the conditions of the new current stage that do not hold after the migration.
	Unmet []string `json:"unmet,omitempty"`
}

func (ProcessOpened) Type() string           { return "process.opened" }
func (TaskCompleted) Type() string           { return "process.task_completed" }
func (TaskReopened) Type() string            { return "process.task_reopened" }
func (ApprovalGranted) Type() string         { return "process.approval_granted" }
func (ApprovalRevoked) Type() string         { return "process.approval_revoked" }
func (StageCompleted) Type() string          { return "process.stage_completed" }
func (StageReverted) Type() string           { return "process.stage_reverted" }
func (ParticipantRegistered) Type() string   { return "process.participant_registered" }
func (ParticipantWithdrawn) Type() string    { return "process.participant_withdrawn" }
func (SessionScheduled) Type() string        { return "process.session_scheduled" }
func (SessionHeld) Type() string             { return "process.session_held" }
func (ContributionRecorded) Type() string    { return "process.contribution_recorded" }
func (DecisionRecorded) Type() string        { return "process.decision_recorded" }
func (ResultPublished) Type() string         { return "process.result_published" }
func (MeasureDefined) Type() string          { return "process.measure_defined" }
func (MeasureProgressReported) Type() string { return "process.measure_progress_reported" }
func (ProcessSuspended) Type() string        { return "process.suspended" }
func (ProcessResumed) Type() string          { return "process.resumed" }
func (ProcessCancelled) Type() string        { return "process.cancelled" }
func (ProcessCompleted) Type() string        { return "process.completed" }
func (ProcessMigrated) Type() string         { return "process.migrated" }
