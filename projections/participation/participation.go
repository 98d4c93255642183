// Package participation is the participation read model: per tenant and per process the active
// participants of each stakeholder group (registered minus withdrawn), the sessions of each format
// (scheduled, held, attendance) and the contributions recorded each day. It holds no personal
// data: participants are kept only by their pseudonymous ID and group, never by their (sealed)
// names, and contributions only as counts, never their texts.
package participation

import (
	"bytes"
	"context"
	"database/sql"
	"hash/maphash"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/payloads"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "participation"

// Projection keeps the participation figures; it is stateless, everything lives in its tables.
type Projection struct{}

var (
	_ runner.Projection = Projection{}
	_ runner.Preparer   = Projection{}
)

// Name returns "participation".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and rules. Version 2 keeps the rows of
// participants, sessions and contribution days in their primary key's tree alone (WITHOUT
// ROWID): one tree to write per row instead of a table and its key index. Version 3 counts the
// late contributions of each day too. Version 4 keeps the process table WITHOUT ROWID as well
// (issue 16: no separate index of the process IDs).
func (Projection) Version() int { return 4 }

// Filter selects process events.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-"}}
}

// Schema returns the tables of one build.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {participant} (process TEXT NOT NULL, id TEXT NOT NULL, grp TEXT NOT NULL,
			active INTEGER NOT NULL, position TEXT NOT NULL, PRIMARY KEY (process, id)) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {session} (process TEXT NOT NULL, id TEXT NOT NULL, format TEXT NOT NULL,
			scheduled INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0, attendance INTEGER NOT NULL DEFAULT 0,
			position TEXT NOT NULL, PRIMARY KEY (process, id)) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {contribution} (process TEXT NOT NULL, day TEXT NOT NULL, n INTEGER NOT NULL,
			late INTEGER NOT NULL DEFAULT 0, position TEXT NOT NULL, PRIMARY KEY (process, day)) WITHOUT ROWID`),
	}
}

// Apply changes the tables for one event.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch changes the tables for a batch of events. It folds the batch in memory (see batch)
// and writes each changed row once at the end, many rows per statement.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	b := newBatch(s)
	if p, ok := runner.Pass(ctx, passKey{}, newPassed); ok {
		b.passed = p
	}
	for _, e := range events {
		if err := b.apply(e); err != nil {
			return err
		}
	}
	return b.write()
}

// batch is what one ApplyBatch does to the tables, folded per row: the rows of a participant, a
// session or a process's day take the batch's last state, and are written once by write with the
// result that applying the events one by one would have. Rows are kept in the order of their
// first event, so that the writes do not depend on map order.
type batch struct {
	s            *runner.Stmts
	processes    *runner.Inserter
	participants map[key]int // index into participantRows
	sessions     map[key]int // index into sessionRows
	days         map[day]int // index into dayRows

	participantRows []participant
	sessionRows     []session
	dayRows         []tally

	passed *passed // in a rebuild pass: the rows it wrote; nil elsewhere
}

type passKey struct{}

// passed is what a rebuild pass (runner.Pass) keeps of the participants' and sessions' rows it
// wrote, so that it adds the others as new rows (runner.Inserter.AddNew: copied on PostgreSQL)
// instead of upserting them.
type passed struct {
	participants, sessions written
}

func newPassed() *passed {
	seed := maphash.MakeSeed()
	return &passed{participants: written{seed: seed}, sessions: written{seed: seed}}
}

// writtenMax is how many rows a written set holds at most, 16 to 40 MiB of memory.
const writtenMax = 1 << 20

// written is a set of the rows a rebuild pass wrote, by a hash of their key: a row whose hash
// it lacks is not in the table. Two keys that share a hash make the second one a row that may
// have been written, which is upserted as outside a pass. When the set holds writtenMax hashes
// it takes no more, and every row not in it may have been written.
type written struct {
	seed   maphash.Seed
	hashes map[uint64]struct{}
}

// fresh reports whether the pass has not written nor updated k's row yet, and notes it as
// written.
func (w *written) fresh(k key) bool {
	if w.hashes == nil {
		w.hashes = map[uint64]struct{}{}
	}
	h := maphash.Comparable(w.seed, k)
	if _, ok := w.hashes[h]; ok || len(w.hashes) >= writtenMax {
		return false
	}
	w.hashes[h] = struct{}{}
	return true
}

func newBatch(s *runner.Stmts) *batch {
	return &batch{s: s,
		processes:    runner.NewInserter(s, `INSERT INTO {process} (id, tenant) VALUES`, 2, 0),
		participants: map[key]int{}, sessions: map[key]int{}, days: map[day]int{}}
}

// key is a participant's or a session's row: its process and its ID.
type key struct{ process, id string }

// participant is a participant's row after the batch. Once registered in the batch the whole row
// is known (a registration overwrites group, active and position); a participant only withdrawn
// in the batch changes an existing row, if any, and never creates one.
type participant struct {
	key
	registered bool
	grp        string
	active     bool
	pos        eventstore.Position
}

// session is what the batch set of a session's row: the format if it was scheduled, the
// attendance if it was held (each the last one's), and the last event's position. Fields the
// batch did not set keep the value of an existing row, or their default in a new one.
type session struct {
	key
	scheduled  bool
	format     string
	held       bool
	attendance int
	pos        eventstore.Position
}

// day is a process's day (UTC, in days since 1970-01-01, formatted when written).
type day struct {
	process string
	day     int64
}

// tally is a process's day's contributions in the batch and the last one's position.
type tally struct {
	day
	n, late int
	pos     eventstore.Position
}

// lateMark is in the data of a contribution flagged late, and in no other's: such contributions
// are counted without decoding them.
var lateMark = []byte(`"late":`)

const secondsPerDay = 24 * 60 * 60

var typeContribution = process.ContributionRecorded{}.Type()

// reads holds the event types the read model reads; it decodes no others.
var reads = map[string]bool{
	process.ProcessOpened{}.Type(): true, process.ParticipantRegistered{}.Type(): true, process.ParticipantWithdrawn{}.Type(): true,
	process.SessionScheduled{}.Type(): true, process.SessionHeld{}.Type(): true, typeContribution: true,
}

// floorDiv divides rounding down, so that times before 1970 fall on their day too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// decodes reports whether apply decodes e's payload.
func decodes(e eventstore.Event) bool {
	return e.Type != typeContribution && reads[e.Type] && strings.HasPrefix(e.Stream, "process-")
}

// Prepare decodes the payloads ApplyBatch will read, ahead of a rebuild's transaction (see
// runner.Preparer); what fails is left to ApplyBatch to report.
func (Projection) Prepare(ctx context.Context, events []eventstore.Event) {
	for _, e := range events {
		if decodes(e) {
			_, _ = payloads.Decode(ctx, e)
		}
	}
}

// apply folds one event into the batch.
func (b *batch) apply(e eventstore.Event) error {
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !reads[e.Type] {
		return nil
	}
	if e.Type == typeContribution {
		// The event carries no time of its own: the day is the day the store recorded it (UTC).
		d := day{id, floorDiv(e.RecordedAt.Unix(), secondsPerDay)}
		i, ok := b.days[d]
		if !ok {
			i = len(b.dayRows)
			b.days[d] = i
			b.dayRows = append(b.dayRows, tally{day: d})
		}
		b.dayRows[i].n++
		if bytes.Contains(e.Data, lateMark) {
			b.dayRows[i].late++
		}
		b.dayRows[i].pos = e.Position
		return nil
	}
	payload, err := payloads.Decode(b.s.Context(), e) // process.Decode, once per rebuild page
	if err != nil {
		return err
	}
	switch p := payload.(type) {
	case process.ProcessOpened:
		return b.processes.Add(id, p.Tenant)
	case process.ParticipantRegistered:
		r := b.participant(key{id, p.Participant})
		r.registered, r.grp, r.active, r.pos = true, p.Group, true, e.Position
	case process.ParticipantWithdrawn:
		r := b.participant(key{id, p.Participant})
		r.active, r.pos = false, e.Position
	case process.SessionScheduled:
		r := b.session(key{id, p.Session})
		r.scheduled, r.format, r.pos = true, p.Format, e.Position
	case process.SessionHeld:
		r := b.session(key{id, p.Session})
		r.held, r.attendance, r.pos = true, p.Attendance, e.Position
	}
	return nil
}

// participant returns the batch's row of participant k, adding it at its first event.
func (b *batch) participant(k key) *participant {
	i, ok := b.participants[k]
	if !ok {
		i = len(b.participantRows)
		b.participants[k] = i
		b.participantRows = append(b.participantRows, participant{key: k})
	}
	return &b.participantRows[i]
}

// session returns the batch's row of session k, adding it at its first event.
func (b *batch) session(k key) *session {
	i, ok := b.sessions[k]
	if !ok {
		i = len(b.sessionRows)
		b.sessions[k] = i
		b.sessionRows = append(b.sessionRows, session{key: k})
	}
	return &b.sessionRows[i]
}

// write writes the batch's rows, each once, many rows per statement (no two rows of a statement
// share a key, so the upserts' clauses see only the tables as they were before the batch).
func (b *batch) write() error {
	if err := b.processes.Flush(); err != nil {
		return err
	}
	// A registration sets the whole row, whatever the batch did before it.
	participants := runner.NewInserter(b.s, `INSERT INTO {participant} (process, id, grp, active, position) VALUES`, 5, 0).
		OnConflict(`ON CONFLICT (process, id) DO UPDATE SET grp = excluded.grp, active = excluded.active, position = excluded.position`)
	for _, r := range b.participantRows {
		// A row of the pass is new only if no statement of the pass touched its key before (a
		// withdrawal's update before the registration, too, as the copy would go in before it).
		fresh := b.passed != nil && b.passed.participants.fresh(r.key)
		var err error
		switch {
		case r.registered && fresh:
			err = participants.AddNew(r.process, r.id, r.grp, bit(r.active), r.pos.String())
		case r.registered:
			err = participants.Add(r.process, r.id, r.grp, bit(r.active), r.pos.String())
		default:
			// Only withdrawn in the batch: an existing row changes, none is created. Withdrawals
			// are rare enough for a statement each.
			err = b.s.Exec(`UPDATE {participant} SET active = 0, position = ? WHERE process = ? AND id = ?`, r.pos.String(), r.process, r.id)
		}
		if err != nil {
			return err
		}
	}
	if err := participants.Flush(); err != nil {
		return err
	}
	// scheduled and held are 1 in a new row exactly when the batch scheduled or held the session;
	// only then do they and format or attendance replace an existing row's.
	sessions := runner.NewInserter(b.s, `INSERT INTO {session} (process, id, format, scheduled, held, attendance, position) VALUES`, 7, 0).
		OnConflict(`ON CONFLICT (process, id) DO UPDATE SET
			format = CASE WHEN excluded.scheduled = 1 THEN excluded.format ELSE {session}.format END,
			scheduled = CASE WHEN excluded.scheduled = 1 THEN 1 ELSE {session}.scheduled END,
			held = CASE WHEN excluded.held = 1 THEN 1 ELSE {session}.held END,
			attendance = CASE WHEN excluded.held = 1 THEN excluded.attendance ELSE {session}.attendance END,
			position = excluded.position`)
	for _, r := range b.sessionRows {
		format := ""
		if r.scheduled {
			format = r.format
		}
		attendance := 0
		if r.held {
			attendance = r.attendance
		}
		add := sessions.Add
		if b.passed != nil && b.passed.sessions.fresh(r.key) {
			add = sessions.AddNew
		}
		if err := add(r.process, r.id, format, bit(r.scheduled), bit(r.held), attendance, r.pos.String()); err != nil {
			return err
		}
	}
	if err := sessions.Flush(); err != nil {
		return err
	}
	days := runner.NewInserter(b.s, `INSERT INTO {contribution} (process, day, n, late, position) VALUES`, 5, 0).
		OnConflict(`ON CONFLICT (process, day) DO UPDATE SET n = {contribution}.n + excluded.n, late = {contribution}.late + excluded.late,
			position = excluded.position`)
	for _, r := range b.dayRows {
		if err := days.Add(r.process, time.Unix(r.day.day*secondsPerDay, 0).UTC().Format(time.DateOnly), r.n, r.late, r.pos.String()); err != nil {
			return err
		}
	}
	return days.Flush()
}

// bit is 1 for true and 0 for false, as the tables hold flags.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
