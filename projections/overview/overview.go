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
	"github.com/civicflow/civicflow/projections/payloads"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "process_overview"

// Projection keeps the overview; it is stateless, everything lives in its tables.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "process_overview".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules. Version 2: opened_at and entered_at
// are the events' recorded times (the instants a past state is asked for), not the commands'.
func (Projection) Version() int { return 2 }

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
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch changes the tables for a batch of events with statements prepared once. The
// counters of a process (participants, sessions, contributions) are added up in memory and
// written once per process; any other change to a process is written in order, after its
// counters so far.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	x := folder{s: runner.NewStmts(ctx, tx, t), counts: map[string]*counts{}}
	defer x.s.Close()
	for _, e := range events {
		if err := x.apply(e); err != nil {
			return err
		}
	}
	for id := range x.counts {
		if err := x.flush(id); err != nil {
			return err
		}
	}
	return nil
}

// counts are the counter changes of one process not written yet, and the position of the last.
type counts struct {
	participants, scheduled, held, contributions int
	pos                                          eventstore.Position
}

type folder struct {
	s      *runner.Stmts
	counts map[string]*counts
}

// count adds a counter event (which needs no payload) to the process's pending counters; false
// for any other event.
func (x folder) count(id string, e eventstore.Event) bool {
	var d counts
	switch e.Type {
	case typeRegistered:
		d.participants = 1
	case typeWithdrawn:
		d.participants = -1
	case typeScheduled:
		d.scheduled = 1
	case typeHeld:
		d.held = 1
	case typeContribution:
		d.contributions = 1
	default:
		return false
	}
	c := x.counts[id]
	if c == nil {
		c = &counts{}
		x.counts[id] = c
	}
	c.participants += d.participants
	c.scheduled += d.scheduled
	c.held += d.held
	c.contributions += d.contributions
	c.pos = e.Position
	return true
}

var (
	typeRegistered   = process.ParticipantRegistered{}.Type()
	typeWithdrawn    = process.ParticipantWithdrawn{}.Type()
	typeScheduled    = process.SessionScheduled{}.Type()
	typeHeld         = process.SessionHeld{}.Type()
	typeContribution = process.ContributionRecorded{}.Type()
)

// flush writes the process's pending counters.
func (x folder) flush(id string) error {
	c := x.counts[id]
	if c == nil {
		return nil
	}
	delete(x.counts, id)
	return x.s.Exec(`UPDATE {process} SET participants = participants + ?, sessions_scheduled = sessions_scheduled + ?,
		sessions_held = sessions_held + ?, contributions = contributions + ?, position = ? WHERE id = ?`,
		c.participants, c.scheduled, c.held, c.contributions, c.pos.String(), id)
}

func (x folder) apply(e eventstore.Event) error {
	if e.Type == template.TypePublished {
		return applyTemplate(x.s, e)
	}
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !process.Known(e.Type) || x.count(id, e) {
		return nil
	}
	payload, err := payloads.Decode(x.s.Context(), e)
	if err != nil {
		return err
	}
	pos := e.Position.String()
	set := func(assign string, args ...any) error {
		if err := x.flush(id); err != nil {
			return err
		}
		return x.s.Exec(`UPDATE {process} SET `+assign+`, position = ? WHERE id = ?`, append(args, pos, id)...)
	}
	switch p := payload.(type) {
	case process.ProcessOpened:
		if err := x.flush(id); err != nil {
			return err
		}
		return x.s.Exec(`INSERT INTO {process} (id, tenant, template, template_version, title, stage, status, opened_at, entered_at, position)
			VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`, id, p.Tenant, p.TemplateID, p.TemplateVersion, p.Title, p.Stage, ts(e.RecordedAt), ts(e.RecordedAt), pos)
	case process.StageCompleted:
		return set(`stage = ?, entered_at = ?`, p.Next, ts(e.RecordedAt))
	case process.StageReverted:
		return set(`stage = ?, entered_at = ?`, p.To, ts(e.RecordedAt))
	case process.ProcessMigrated:
		return set(`template_version = ?, stage = ?, entered_at = CASE WHEN stage = ? THEN entered_at ELSE ? END`, p.ToVersion, p.Stage, p.Stage, ts(e.RecordedAt))
	case process.MeasureDefined:
		return x.s.Exec(`INSERT INTO {measure} (process, id, progress) VALUES (?, ?, 0) ON CONFLICT DO NOTHING`, id, p.Measure)
	case process.MeasureProgressReported:
		return x.s.Exec(`UPDATE {measure} SET progress = ? WHERE process = ? AND id = ?`, p.Progress, id, p.Measure)
	case process.ProcessSuspended:
		return set(`status = 'suspended'`)
	case process.ProcessResumed:
		return set(`status = 'active'`)
	case process.ProcessCancelled:
		return set(`status = 'cancelled'`)
	case process.ProcessCompleted:
		return set(`status = 'completed'`)
	}
	return nil
}

func applyTemplate(s *runner.Stmts, e eventstore.Event) error {
	var pub template.Published
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	for _, st := range pub.Template.Stages {
		if err := s.Exec(`INSERT INTO {target} (template, version, stage, target_days) VALUES (?, ?, ?, ?)
			ON CONFLICT (template, version, stage) DO UPDATE SET target_days = excluded.target_days`,
			pub.Template.ID, pub.Template.Version, st.Key, st.TargetDays); err != nil {
			return err
		}
	}
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
