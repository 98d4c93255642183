package process

import "time"

// DateSet records a named date of the template, e.g. when the publication was announced
// ("announced_at"); periods may start at it and gates read it as dates.<key>.
type DateSet struct {
	Date  string    `json:"date"`
	Value time.Time `json:"value"`
	Note  string    `json:"note,omitempty"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// DeadlineExtended lengthens a period by whole calendar days, for a reason, approved by a person
// other than the one who records it.
type DeadlineExtended struct {
	Deadline   string    `json:"deadline"`
	Days       int       `json:"days"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	// EndsAt is the period's new end.
	EndsAt time.Time `json:"ends_at"`
}

// PeriodOverridden records that a process left (or, for a notice, entered) a stage although a
// legal period was not kept, with the reason given by who overrode it. It comes just before the
// StageCompleted, ProcessCompleted or ProcessMigrated it permits.
type PeriodOverridden struct {
	Deadline   string `json:"deadline"`
	Kind       string `json:"kind"`
	Stage      string `json:"stage"`
	LegalBasis string `json:"legal_basis,omitempty"`
	// EndsAt is when the period would have ended; zero when it had not started.
	EndsAt time.Time `json:"ends_at,omitzero"`
	// Action is what skipped the period: "advance", "complete" or "migrate".
	Action string    `json:"action"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Lateness says why a contribution is late: which period had ended when it was received.
type Lateness struct {
	Deadline   string    `json:"deadline"`
	EndedAt    time.Time `json:"ended_at"`
	LegalBasis string    `json:"legal_basis,omitempty"`
}

func (DateSet) Type() string          { return "process.date_set" }
func (DeadlineExtended) Type() string { return "process.deadline_extended" }
func (PeriodOverridden) Type() string { return "process.period_overridden" }

func init() {
	register[DateSet](1, nil)
	register[DeadlineExtended](1, nil)
	register[PeriodOverridden](1, nil)
}
