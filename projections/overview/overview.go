// Package overview is the process overview read model: per process its tenant, template, title,
// stage, status, the day it entered the stage, the stage's target duration (from the template),
// participant, session and contribution counts and the average progress of its measures. Days in
// stage and overdue are computed when read, from the reader's clock.
package overview

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "process_overview"

// Projection keeps the overview; it is stateless, everything lives in its tables.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "process_overview".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules.
func (Projection) Version() int { return 1 }

// Filter selects process and template events.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
}

// Schema returns the tables of one build.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {process} (
			id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL, template_version INTEGER NOT NULL,
			title TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, entered_at TEXT NOT NULL,
			participants INTEGER NOT NULL DEFAULT 0, sessions_scheduled INTEGER NOT NULL DEFAULT 0,
			sessions_held INTEGER NOT NULL DEFAULT 0, contributions INTEGER NOT NULL DEFAULT 0,
			position TEXT NOT NULL)`),
		t.Q(`CREATE INDEX {process_tenant} ON {process} (tenant, opened_at)`),
		t.Q(`CREATE TABLE {measure} (process TEXT NOT NULL, id TEXT NOT NULL, progress INTEGER NOT NULL,
			PRIMARY KEY (process, id))`),
		t.Q(`CREATE TABLE {target} (template TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
			target_days INTEGER NOT NULL, PRIMARY KEY (template, version, stage))`),
	}
}

// Apply changes the tables for one event.
func (Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	if e.Type == template.TypePublished {
		return applyTemplate(ctx, tx, t, e)
	}
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !process.Known(e.Type) {
		return nil
	}
	payload, err := process.Decode(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return err
	}
	x := exec{ctx: ctx, tx: tx, t: t, id: id, pos: e.Position.String()}
	switch p := payload.(type) {
	case process.ProcessOpened:
		return x.do(`INSERT INTO {process} (id, tenant, template, template_version, title, stage, status, opened_at, entered_at, position)
			VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`, id, p.Tenant, p.TemplateID, p.TemplateVersion, p.Title, p.Stage, ts(p.At), ts(p.At), x.pos)
	case process.StageCompleted:
		return x.set(`stage = ?, entered_at = ?`, p.Next, ts(p.At))
	case process.StageReverted:
		return x.set(`stage = ?, entered_at = ?`, p.To, ts(p.At))
	case process.ProcessMigrated:
		return x.set(`template_version = ?, stage = ?, entered_at = CASE WHEN stage = ? THEN entered_at ELSE ? END`, p.ToVersion, p.Stage, p.Stage, ts(p.At))
	case process.ParticipantRegistered:
		return x.set(`participants = participants + 1`)
	case process.ParticipantWithdrawn:
		return x.set(`participants = participants - 1`)
	case process.SessionScheduled:
		return x.set(`sessions_scheduled = sessions_scheduled + 1`)
	case process.SessionHeld:
		return x.set(`sessions_held = sessions_held + 1`)
	case process.ContributionRecorded:
		return x.set(`contributions = contributions + 1`)
	case process.MeasureDefined:
		return x.do(`INSERT OR IGNORE INTO {measure} (process, id, progress) VALUES (?, ?, 0)`, id, p.Measure)
	case process.MeasureProgressReported:
		return x.do(`UPDATE {measure} SET progress = ? WHERE process = ? AND id = ?`, p.Progress, id, p.Measure)
	case process.ProcessSuspended:
		return x.set(`status = 'suspended'`)
	case process.ProcessResumed:
		return x.set(`status = 'active'`)
	case process.ProcessCancelled:
		return x.set(`status = 'cancelled'`)
	case process.ProcessCompleted:
		return x.set(`status = 'completed'`)
	}
	return nil
}

func applyTemplate(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	var pub template.Published
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	for _, s := range pub.Template.Stages {
		if _, err := tx.ExecContext(ctx, t.Q(`INSERT OR REPLACE INTO {target} (template, version, stage, target_days) VALUES (?, ?, ?, ?)`),
			pub.Template.ID, pub.Template.Version, s.Key, s.TargetDays); err != nil {
			return err
		}
	}
	return nil
}

type exec struct {
	ctx     context.Context
	tx      *sql.Tx
	t       runner.Tables
	id, pos string
}

func (x exec) do(stmt string, args ...any) error {
	_, err := x.tx.ExecContext(x.ctx, x.t.Q(stmt), args...)
	return err
}

// set updates the process row and its position.
func (x exec) set(assign string, args ...any) error {
	return x.do(`UPDATE {process} SET `+assign+`, position = ? WHERE id = ?`, append(args, x.pos, x.id)...)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
