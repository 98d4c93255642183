package report

import (
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// PeriodNote is a period that was not kept (skipped with a reason) or a contribution received
// after its period for responses ended.
type PeriodNote struct {
	Version int64     `json:"version"`
	At      time.Time `json:"at"`
	// Kind is "overridden" (a period skipped) or "late" (a contribution received late).
	Kind       string    `json:"kind"`
	Deadline   string    `json:"deadline"`
	LegalBasis string    `json:"legal_basis,omitempty"`
	EndsAt     time.Time `json:"ends_at,omitzero"`
	// Action is what skipped the period: advance, complete or migrate.
	Action string `json:"action,omitempty"`
	Stage  string `json:"stage,omitempty"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"by"`
	// ReceivedAt is when a late contribution was received, as By stated it.
	ReceivedAt time.Time `json:"received_at,omitzero"`
}

// timeEvent adds periods not kept and late contributions to the report.
func (d *derivation) timeEvent(ev eventstore.Event, payload process.Payload) {
	switch p := payload.(type) {
	case process.PeriodOverridden:
		d.c.Periods = append(d.c.Periods, PeriodNote{Version: ev.Version, At: ev.RecordedAt.UTC(), Kind: "overridden",
			Deadline: p.Deadline, LegalBasis: p.LegalBasis, EndsAt: p.EndsAt.UTC(), Action: p.Action, Stage: p.Stage, Reason: p.Reason, By: p.By})
	case process.ContributionRecorded:
		if p.Late == nil {
			return
		}
		received := p.ReceivedAt
		if received.IsZero() {
			received = p.At
		}
		d.c.Periods = append(d.c.Periods, PeriodNote{Version: ev.Version, At: ev.RecordedAt.UTC(), Kind: "late",
			Deadline: p.Late.Deadline, LegalBasis: p.Late.LegalBasis, EndsAt: p.Late.EndedAt.UTC(), Stage: p.Stage,
			By: ev.Metadata.Actor, ReceivedAt: received.UTC()})
	}
}
