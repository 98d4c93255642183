// Package implementation is the implementation tracker read model (what Decidim calls
// accountability): per process and per tenant the measures decided on, with their title, owner,
// progress, status and due date, and the title of their process. Whether a measure is overdue is
// computed when read, from the reader's clock.
package implementation

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/payloads"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "implementation"

// Projection keeps the implementation tracker; it is stateless, everything lives in its tables.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "implementation".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules. Version 2 keeps the process table in
// its primary key's tree alone (WITHOUT ROWID: no separate index of the process IDs; issue 16).
func (Projection) Version() int { return 2 }

// Filter selects process events.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-"}}
}

// Schema returns the tables of one build.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, title TEXT NOT NULL) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {measure} (process TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, owner TEXT NOT NULL,
			progress INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'planned', due TEXT NOT NULL,
			defined_at TEXT NOT NULL, updated_at TEXT NOT NULL, position TEXT NOT NULL, PRIMARY KEY (process, id))`),
	}
}

// Apply changes the tables for one event.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch changes the tables for a batch of events with statements prepared once; it decodes
// only the events it keeps something of.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	return runner.ApplyEach(ctx, tx, t, events, apply)
}

// kept are the events the tracker keeps something of.
var kept = map[string]bool{process.ProcessOpened{}.Type(): true, process.MeasureDefined{}.Type(): true,
	process.MeasureProgressReported{}.Type(): true}

func apply(s *runner.Stmts, e eventstore.Event) error {
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !kept[e.Type] {
		return nil
	}
	payload, err := payloads.Decode(s.Context(), e)
	if err != nil {
		return err
	}
	pos, at := e.Position.String(), ts(e.RecordedAt)
	switch p := payload.(type) {
	case process.ProcessOpened:
		return s.Exec(`INSERT INTO {process} (id, tenant, title) VALUES (?, ?, ?)`, id, p.Tenant, p.Title)
	case process.MeasureDefined:
		due := ""
		if !p.Due.IsZero() {
			due = ts(p.Due)
		}
		return s.Exec(`INSERT INTO {measure} (process, id, title, owner, due, defined_at, updated_at, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (process, id) DO UPDATE SET title = excluded.title, owner = excluded.owner,
			due = excluded.due, updated_at = excluded.updated_at, position = excluded.position`,
			id, p.Measure, p.Title, p.Owner, due, at, at, pos)
	case process.MeasureProgressReported:
		return s.Exec(`UPDATE {measure} SET progress = ?, status = ?, updated_at = ?, position = ? WHERE process = ? AND id = ?`,
			p.Progress, p.Status, at, pos, id, p.Measure)
	}
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
