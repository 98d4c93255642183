// Package participation is the participation read model: per tenant and per process the active
// participants of each stakeholder group (registered minus withdrawn), the sessions of each format
// (scheduled, held, attendance) and the contributions recorded each day. It holds no personal
// data: participants are kept only by their pseudonymous ID and group, never by their (sealed)
// names, and contributions only as counts, never their texts.
package participation

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "participation"

// Projection keeps the participation figures; it is stateless, everything lives in its tables.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "participation".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules.
func (Projection) Version() int { return 1 }

// Filter selects process events.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-"}}
}

// Schema returns the tables of one build.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL)`),
		t.Q(`CREATE TABLE {participant} (process TEXT NOT NULL, id TEXT NOT NULL, grp TEXT NOT NULL,
			active INTEGER NOT NULL, position TEXT NOT NULL, PRIMARY KEY (process, id))`),
		t.Q(`CREATE TABLE {session} (process TEXT NOT NULL, id TEXT NOT NULL, format TEXT NOT NULL,
			scheduled INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0, attendance INTEGER NOT NULL DEFAULT 0,
			position TEXT NOT NULL, PRIMARY KEY (process, id))`),
		t.Q(`CREATE TABLE {contribution} (process TEXT NOT NULL, day TEXT NOT NULL, n INTEGER NOT NULL,
			position TEXT NOT NULL, PRIMARY KEY (process, day))`),
	}
}

// Apply changes the tables for one event.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch changes the tables for a batch of events with statements prepared once. The
// contributions of a process and day are counted in memory and written once per batch.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	days := map[day]*tally{}
	for _, e := range events {
		if err := apply(s, days, e); err != nil {
			return err
		}
	}
	for d, n := range days {
		if err := s.Exec(`INSERT INTO {contribution} (process, day, n, position) VALUES (?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n, position = excluded.position`,
			d.process, time.Unix(d.day*secondsPerDay, 0).UTC().Format(time.DateOnly), n.n, n.pos.String()); err != nil {
			return err
		}
	}
	return nil
}

// day is a process's day (UTC, in days since 1970-01-01, formatted when written); tally its
// contributions not written yet and the last one's position.
type day struct {
	process string
	day     int64
}

type tally struct {
	n   int
	pos eventstore.Position
}

const secondsPerDay = 24 * 60 * 60

var typeContribution = process.ContributionRecorded{}.Type()

// floorDiv divides rounding down, so that times before 1970 fall on their day too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func apply(s *runner.Stmts, days map[day]*tally, e eventstore.Event) error {
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !process.Known(e.Type) {
		return nil
	}
	if e.Type == typeContribution {
		// The event carries no time of its own: the day is the day the store recorded it (UTC).
		d := day{id, floorDiv(e.RecordedAt.Unix(), secondsPerDay)}
		t := days[d]
		if t == nil {
			t = &tally{}
			days[d] = t
		}
		t.n++
		t.pos = e.Position
		return nil
	}
	pos := e.Position.String()
	payload, err := process.Decode(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return err
	}
	switch p := payload.(type) {
	case process.ProcessOpened:
		return s.Exec(`INSERT INTO {process} (id, tenant) VALUES (?, ?)`, id, p.Tenant)
	case process.ParticipantRegistered:
		return s.Exec(`INSERT INTO {participant} (process, id, grp, active, position) VALUES (?, ?, ?, 1, ?)
			ON CONFLICT DO UPDATE SET grp = excluded.grp, active = 1, position = excluded.position`, id, p.Participant, p.Group, pos)
	case process.ParticipantWithdrawn:
		return s.Exec(`UPDATE {participant} SET active = 0, position = ? WHERE process = ? AND id = ?`, pos, id, p.Participant)
	case process.SessionScheduled:
		return s.Exec(`INSERT INTO {session} (process, id, format, scheduled, position) VALUES (?, ?, ?, 1, ?)
			ON CONFLICT DO UPDATE SET format = excluded.format, scheduled = 1, position = excluded.position`, id, p.Session, p.Format, pos)
	case process.SessionHeld:
		return s.Exec(`INSERT INTO {session} (process, id, format, held, attendance, position) VALUES (?, ?, '', 1, ?, ?)
			ON CONFLICT DO UPDATE SET held = 1, attendance = excluded.attendance, position = excluded.position`, id, p.Session, p.Attendance, pos)
	}
	return nil
}
