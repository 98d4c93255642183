// Package stagestats is the stage statistics read model: per tenant, template and stage how many
// processes entered the stage, how many completed it (left it forwards), the median and 90th
// percentile of the completed stays' durations and the work in progress (processes in the stage
// now). It stores every stay; the durations' quantiles are computed when read.
package stagestats

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
const Name = "stage_stats"

// Projection keeps the stage statistics; it is stateless, everything lives in its tables.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "stage_stats".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules. Version 2 keeps the process table in
// its primary key's tree alone (WITHOUT ROWID: no separate index of the process IDs; issue 16).
func (Projection) Version() int { return 2 }

// Filter selects process events and template events (for the order of the stages).
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
}

// Schema returns the tables of one build. A stay is one visit of a process to a stage; it is
// open while left_at is NULL, and its outcome says how it ended: completed (forwards), reverted,
// migrated or cancelled.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {stay} (process TEXT NOT NULL, entered_position TEXT NOT NULL, tenant TEXT NOT NULL,
			template TEXT NOT NULL, stage TEXT NOT NULL, entered_at TEXT NOT NULL, left_at TEXT, outcome TEXT,
			position TEXT NOT NULL, PRIMARY KEY (process, entered_position))`),
		t.Q(`CREATE INDEX {stay_stage} ON {stay} (tenant, template, stage)`),
		t.Q(`CREATE TABLE {stage} (template TEXT NOT NULL, stage TEXT NOT NULL, ord INTEGER NOT NULL,
			PRIMARY KEY (template, stage))`),
	}
}

// Apply changes the tables for one event.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch changes the tables for a batch of events with statements prepared once; it decodes
// only the events that move a process between stages.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	return runner.ApplyEach(ctx, tx, t, events, apply)
}

// moving are the process events that open or close a stay.
var moving = map[string]bool{}

func init() {
	for _, p := range []process.Payload{process.ProcessOpened{}, process.StageCompleted{}, process.StageReverted{},
		process.ProcessMigrated{}, process.ProcessCompleted{}, process.ProcessCancelled{}} {
		moving[p.Type()] = true
	}
}

func apply(s *runner.Stmts, e eventstore.Event) error {
	if e.Type == template.TypePublished {
		return applyTemplate(s, e)
	}
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !moving[e.Type] {
		return nil
	}
	payload, err := payloads.Decode(s.Context(), e)
	if err != nil {
		return err
	}
	x := exec{s: s, id: id, pos: e.Position.String()}
	switch p := payload.(type) {
	case process.ProcessOpened:
		if err := s.Exec(`INSERT INTO {process} (id, tenant, template) VALUES (?, ?, ?)`, id, p.Tenant, p.TemplateID); err != nil {
			return err
		}
		return x.enter(p.Stage, p.At)
	case process.StageCompleted:
		return x.move("completed", p.Next, p.At)
	case process.StageReverted:
		return x.move("reverted", p.To, p.At)
	case process.ProcessMigrated:
		return x.migrate(p.Stage, p.At)
	case process.ProcessCompleted:
		return x.leave("completed", p.At)
	case process.ProcessCancelled:
		return x.leave("cancelled", p.At)
	}
	return nil
}

func applyTemplate(s *runner.Stmts, e eventstore.Event) error {
	var pub template.Published
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	for i, st := range pub.Template.Stages {
		if err := s.Exec(`INSERT INTO {stage} (template, stage, ord) VALUES (?, ?, ?)
			ON CONFLICT (template, stage) DO UPDATE SET ord = excluded.ord`, pub.Template.ID, st.Key, i); err != nil {
			return err
		}
	}
	return nil
}

type exec struct {
	s       *runner.Stmts
	id, pos string
}

func (x exec) do(stmt string, args ...any) error { return x.s.Exec(stmt, args...) }

// enter opens a stay of the process in stage.
func (x exec) enter(stage string, at time.Time) error {
	return x.do(`INSERT INTO {stay} (process, entered_position, tenant, template, stage, entered_at, position)
		SELECT id, ?, tenant, template, ?, ?, ? FROM {process} WHERE id = ?`, x.pos, stage, ts(at), x.pos, x.id)
}

// leave closes the process's open stay with outcome.
func (x exec) leave(outcome string, at time.Time) error {
	return x.do(`UPDATE {stay} SET left_at = ?, outcome = ?, position = ? WHERE process = ? AND left_at IS NULL`,
		ts(at), outcome, x.pos, x.id)
}

// move closes the open stay with outcome and opens one in next.
func (x exec) move(outcome, next string, at time.Time) error {
	if err := x.leave(outcome, at); err != nil {
		return err
	}
	return x.enter(next, at)
}

// migrate moves the process only if the migration changed its stage.
func (x exec) migrate(stage string, at time.Time) error {
	var same int
	_, err := x.s.QueryRow(`SELECT count(*) FROM {stay} WHERE process = ? AND left_at IS NULL AND stage = ?`, []any{x.id, stage}, &same)
	if err != nil || same > 0 {
		return err
	}
	return x.move("migrated", stage, at)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
