// Package report builds the audit report of one process (civicflow audit export): its timeline,
// stages with their deadlines met or missed, approvals, decisions, template versions, erasures,
// the seal that covers it and the result of verifying it — and, in the JSON form, the evidence to
// verify it again offline: every event's stored record with its chain hash and its inclusion
// proof in the latest signed tree head.
//
// Everything a report tells (Content) is derived from events alone (Derive), so a verifier
// derives it again from the evidence and compares: a changed word in the timeline fails as
// surely as a changed byte of a record. A report holds no plain personal data: participants
// appear by ID and stakeholder group, erased ones with the erasure's notice ("erased on … by …
// (Art. 17 GDPR)"), which the evidence proves too.
//
//	r, _ := report.Build(ctx, report.Sources{Store: store, Heads: store.Seals(), Hashes: seal.TileHashes(store.MerkleTiles())}, id, now, verifier)
//	_ = r.WriteHTML(w)                  // or WriteJSON, WriteCSV
//	v := report.Verify(r, verifier)     // offline: v.OK, v.Problems
package report

import (
	"time"

	"github.com/civicflow/civicflow/domain/template"
)

// Format names the JSON form of a report; Verify refuses any other.
const Format = "civicflow audit report v1"

// Report is one process's audit report.
type Report struct {
	// Format is always Format.
	Format string `json:"format"`
	// RequestedBy is who asked for the report ("anna (auditor)"); not evidence.
	RequestedBy string `json:"requested_by,omitempty"`
	Content
	// Seal is the latest signed tree head of the log when the report was made; nil when the log
	// was never sealed.
	Seal *Seal `json:"seal,omitempty"`
	// Evidence holds every event the content is derived from, with what proves it.
	Evidence []Evidence `json:"evidence"`
	// Verification is the result of Verify when the report was made.
	Verification Verification `json:"verification"`
}

// Content is what a report tells, derived from events alone (see Derive).
type Content struct {
	// AsOf is the instant the report describes: running stages are measured up to it.
	AsOf         time.Time       `json:"as_of"`
	Process      ProcessInfo     `json:"process"`
	Templates    []TemplateInfo  `json:"templates"`
	Stages       []Stay          `json:"stages"`
	Deadlines    []DeadlineCheck `json:"deadlines"`
	Periods      []PeriodNote    `json:"periods"`
	Approvals    []Approval      `json:"approvals"`
	Decisions    []Decision      `json:"decisions"`
	Participants []Participant   `json:"participants"`
	Erasures     []Erasure       `json:"erasures"`
	Timeline     []Entry         `json:"timeline"`
	// Evaluation sums up teams, attendance, feedback and indicators (evaluation.go).
	Evaluation *Evaluation `json:"evaluation,omitempty"`
}

// ProcessInfo is the process as it stands at its last event.
type ProcessInfo struct {
	ID              string     `json:"id"`
	Tenant          string     `json:"tenant"`
	Title           string     `json:"title"`
	Lead            string     `json:"lead"`
	Programme       string     `json:"programme,omitempty"`
	TemplateID      string     `json:"template_id"`
	TemplateVersion int        `json:"template_version"`
	Status          string     `json:"status"`
	Stage           string     `json:"stage"`
	OpenedAt        time.Time  `json:"opened_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Version         int64      `json:"version"`
}

// TemplateInfo is a template version the process ran on.
type TemplateInfo struct {
	ID        string              `json:"id"`
	Version   int                 `json:"version"`
	Hash      string              `json:"hash"`
	Title     template.Text       `json:"title"`
	Stages    []StageInfo         `json:"stages"`
	Deadlines []template.Deadline `json:"deadlines,omitempty"`
}

// StageInfo is a stage of a template version.
type StageInfo struct {
	Key        string        `json:"key"`
	Title      template.Text `json:"title"`
	TargetDays int           `json:"target_days,omitempty"`
}

// Outcomes of a stay or a deadline.
const (
	Met      = "met"     // finished within the target (or lasted at least the minimum)
	Missed   = "missed"  // finished late (or ended before the minimum)
	Running  = "running" // not finished, still within the target
	Overdue  = "overdue" // not finished, beyond the target
	NoTarget = "no_target"
)

// Stay is one stay in a stage, measured against the stage's target days.
type Stay struct {
	Stage           string        `json:"stage"`
	Title           template.Text `json:"title"`
	TemplateVersion int           `json:"template_version"`
	Entered         time.Time     `json:"entered"`
	Left            *time.Time    `json:"left,omitempty"`
	How             string        `json:"how,omitempty"`
	Days            float64       `json:"days"`
	TargetDays      int           `json:"target_days,omitempty"`
	Outcome         string        `json:"outcome"`
}

// DeadlineCheck is a template deadline (a minimum duration with its legal basis) checked against
// one stay in its stage.
type DeadlineCheck struct {
	Key        string        `json:"key"`
	Title      template.Text `json:"title"`
	Stage      string        `json:"stage"`
	LegalBasis string        `json:"legal_basis,omitempty"`
	MinDays    int           `json:"min_days"`
	Entered    time.Time     `json:"entered"`
	Days       float64       `json:"days"`
	Outcome    string        `json:"outcome"`
}

// Approval is an approval granted or revoked.
type Approval struct {
	Version  int64         `json:"version"`
	At       time.Time     `json:"at"`
	Stage    string        `json:"stage"`
	Approval string        `json:"approval"`
	Title    template.Text `json:"title"`
	Action   string        `json:"action"` // "granted" or "revoked"
	By       string        `json:"by"`
	Role     string        `json:"role,omitempty"`
	Note     string        `json:"note,omitempty"`
}

// Decision is a recorded decision.
type Decision struct {
	Version  int64     `json:"version"`
	At       time.Time `json:"at"`
	Decision string    `json:"decision"`
	Subject  string    `json:"subject"`
	Model    string    `json:"model"`
	Outcome  string    `json:"outcome"`
	Votes    string    `json:"votes,omitempty"` // "12 yes, 3 no, 1 abstain"
	By       string    `json:"by"`
	// Body is the body that decided and Adopted whether it adopted the subject (absent in
	// decisions recorded without).
	Body    string `json:"body,omitempty"`
	Adopted bool   `json:"adopted,omitempty"`
}

// Participant is a participant by ID and group; the name is never in a report.
type Participant struct {
	ID        string `json:"id"`
	Group     string `json:"group"`
	Withdrawn bool   `json:"withdrawn"`
	// Erased is the erasure's notice when the person was erased.
	Erased string `json:"erased,omitempty"`
}

// Erasure is the erasure of a person whose data the process held.
type Erasure struct {
	Person       string    `json:"person"`
	Participants []string  `json:"participants"`
	At           time.Time `json:"at"`
	ByRole       string    `json:"by_role"`
	Notice       string    `json:"notice"`
}

// Entry is one event of the timeline, told in German and English.
type Entry struct {
	Version    int64     `json:"version"`
	Position   string    `json:"position"`
	RecordedAt time.Time `json:"recorded_at"`
	Actor      string    `json:"actor"`
	Type       string    `json:"type"`
	De         string    `json:"de"`
	En         string    `json:"en"`
	Hash       string    `json:"hash"`
}

// Seal is the signed tree head the evidence is proven against.
type Seal struct {
	// Signed is the head as a signed note (golang.org/x/mod/sumdb/note), as "audit seal export"
	// prints it.
	Signed string    `json:"signed"`
	Size   int64     `json:"size"`
	Root   string    `json:"root"`
	Time   time.Time `json:"time"`
}

// Evidence is one stored event: its record (the bytes its chain hash covers), the hash of its
// predecessor in its stream, its chain hash, its leaf in the log's Merkle tree and the inclusion
// proof of that leaf in the tree of the Seal (none when the event came after the seal).
type Evidence struct {
	Stream   string   `json:"stream"`
	Version  int64    `json:"version"`
	Position string   `json:"position"`
	Record   []byte   `json:"record"`
	Prev     string   `json:"prev"`
	Hash     string   `json:"hash"`
	Proof    []string `json:"proof,omitempty"`
}

// Verification is what Verify found.
type Verification struct {
	OK bool `json:"ok"`
	// Events is how many records were checked; Sealed of them are proven in the seal, Unsealed
	// came after it (or there is no seal) and are checked by their hash chain only.
	Events   int `json:"events"`
	Sealed   int `json:"sealed"`
	Unsealed int `json:"unsealed"`
	// Key names the key the seal's signature was checked with; empty when it was not checked.
	Key string `json:"key,omitempty"`
	// Problems lists everything that did not verify, each naming what and where.
	Problems []string `json:"problems,omitempty"`
}
