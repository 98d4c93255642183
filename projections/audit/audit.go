// Package audit is the audit timeline read model: who did what and when, per process, as a
// readable sentence in German and in English. It holds no personal data: participants appear by
// their stakeholder group, never by their (sealed) names, and contribution texts are not kept.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "audit_timeline"

// Projection keeps the audit timeline.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "audit_timeline".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and sentences. Version 2 keeps each event's
// facts and renders its sentences when read, instead of storing both sentences.
func (Projection) Version() int { return 2 }

// Filter selects process and template events (for the titles of stages and tasks).
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
}

// Schema returns the tables of one build. An entry's at is the time the store recorded the event
// (Unix nanoseconds, UTC); facts is what its sentence says besides the actor (see appendFacts).
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {entry} (position INTEGER PRIMARY KEY, process TEXT NOT NULL, tenant TEXT NOT NULL,
			at INTEGER NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL, facts TEXT)`),
		t.Q(`CREATE INDEX {entry_process} ON {entry} (process, position)`),
		t.Q(`CREATE INDEX {entry_tenant} ON {entry} (tenant, position)`),
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL, version INTEGER NOT NULL)`),
		t.Q(`CREATE TABLE {title} (template TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
			de TEXT NOT NULL, en TEXT NOT NULL, PRIMARY KEY (template, version, kind, key))`),
	}
}

// Apply adds one entry for a process event and keeps the titles of published templates.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch adds the entries of a batch of events with multi-row inserts; the processes'
// templates and the titles are looked up once per batch.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	x := &teller{s: s, procs: map[string]proc{}, titles: map[titleKey]Title{},
		entries: runner.NewInserter(s, `INSERT INTO {entry} (position, process, tenant, at, actor, type, facts) VALUES`, 7, 0)}
	for _, e := range events {
		if err := x.apply(e); err != nil {
			return err
		}
	}
	return x.entries.Flush()
}

// teller writes a batch's entries; procs and titles cache the tables' rows for the batch.
type teller struct {
	s       *runner.Stmts
	procs   map[string]proc
	titles  map[titleKey]Title
	entries *runner.Inserter
	buf     []byte
}

// proc is a process's row: tenant and template version (empty when unknown).
type proc struct {
	tenant, template string
	version          int
}

type titleKey struct {
	template  string
	version   int
	kind, key string
}

// withoutFields are the events whose sentence uses no field of the payload: they are not decoded.
var withoutFields = map[string]process.Payload{}

func init() {
	for _, p := range []process.Payload{process.ParticipantWithdrawn{}, process.ContributionRecorded{},
		process.ProcessResumed{}, process.ProcessCompleted{}} {
		withoutFields[p.Type()] = p
	}
}

func (x *teller) apply(e eventstore.Event) error {
	if e.Type == template.TypePublished {
		clear(x.titles)
		return applyTemplate(x.s, e)
	}
	id, ok := strings.CutPrefix(e.Stream, "process-")
	if !ok || !process.Known(e.Type) {
		return nil
	}
	payload, ok := withoutFields[e.Type]
	if !ok {
		var err error
		if payload, err = process.Decode(e.Type, e.SchemaVersion, e.Data); err != nil {
			return err
		}
	}
	if err := x.track(id, payload); err != nil {
		return err
	}
	pr, err := x.proc(id)
	if err != nil {
		return err
	}
	actor := e.Metadata.Actor
	if actor == "" {
		actor = "civicflow"
	}
	var stored any // NULL without facts
	if fs := facts(payload, func(kind, key string) Title { return x.title(titleKey{pr.template, pr.version, kind, key}) }); len(fs) > 0 {
		if x.buf, err = appendFacts(x.buf[:0], fs); err != nil {
			return err
		}
		stored = string(x.buf)
	}
	return x.entries.Add(int64(e.Position.Commit()), id, pr.tenant, e.RecordedAt.UnixNano(), actor, e.Type, stored)
}

// track remembers each process's tenant and template version.
func (x *teller) track(id string, payload process.Payload) error {
	switch p := payload.(type) {
	case process.ProcessOpened:
		x.procs[id] = proc{tenant: p.Tenant, template: p.TemplateID, version: p.TemplateVersion}
		return x.s.Exec(`INSERT OR REPLACE INTO {process} (id, tenant, template, version) VALUES (?, ?, ?, ?)`, id, p.Tenant, p.TemplateID, p.TemplateVersion)
	case process.ProcessMigrated:
		delete(x.procs, id)
		return x.s.Exec(`UPDATE {process} SET version = ? WHERE id = ?`, p.ToVersion, id)
	}
	return nil
}

// proc returns the process's row, read once per batch.
func (x *teller) proc(id string) (proc, error) {
	if p, ok := x.procs[id]; ok {
		return p, nil
	}
	var p proc
	if _, err := x.s.QueryRow(`SELECT tenant, template, version FROM {process} WHERE id = ?`, []any{id}, &p.tenant, &p.template, &p.version); err != nil {
		return proc{}, err
	}
	x.procs[id] = p
	return p, nil
}

// title looks a title up in the template version, once per batch; a key stands for itself when
// none is found.
func (x *teller) title(k titleKey) Title {
	if t, ok := x.titles[k]; ok {
		return t
	}
	var t Title
	if found, err := x.s.QueryRow(`SELECT de, en FROM {title} WHERE template = ? AND version = ? AND kind = ? AND key = ?`,
		[]any{k.template, k.version, k.kind, k.key}, &t.De, &t.En); !found || err != nil {
		_, key, _ := strings.Cut(k.key, "/")
		if key == "" {
			key = k.key
		}
		t = Title{De: key, En: key}
	}
	x.titles[k] = t
	return t
}

func applyTemplate(s *runner.Stmts, e eventstore.Event) error {
	var pub template.Published
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	put := func(kind, key string, title template.Text) error {
		return s.Exec(`INSERT OR REPLACE INTO {title} (template, version, kind, key, de, en) VALUES (?, ?, ?, ?, ?, ?)`,
			pub.Template.ID, pub.Template.Version, kind, key, title.De, title.En)
	}
	for _, st := range pub.Template.Stages {
		if err := put("stage", st.Key, st.Title); err != nil {
			return err
		}
		for _, k := range st.Tasks {
			if err := put("task", st.Key+"/"+k.Key, k.Title); err != nil {
				return err
			}
		}
		for _, a := range st.Approvals {
			if err := put("approval", st.Key+"/"+a.Key, a.Title); err != nil {
				return err
			}
		}
	}
	return nil
}

// Entry is one line of the timeline.
type Entry struct {
	Position string    `json:"position"`
	Process  string    `json:"process"`
	Tenant   string    `json:"tenant"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Type     string    `json:"type"`
	De       string    `json:"de"`
	En       string    `json:"en"`
}

// Result is an answer with its provenance: the timeline is complete up to Position.
type Result struct {
	Position string  `json:"position"`
	Entries  []Entry `json:"entries"`
}

// Query selects entries; empty fields select all. Limit 0 means 100.
type Query struct {
	Tenant, Process string
	Limit           int
	// Newest takes the last Limit entries, newest first, instead of the first in log order.
	Newest bool
}

// where is the condition and the arguments that select q's entries; each filter is a plain
// equality so that SQLite takes the (process, position) or (tenant, position) index.
func (q Query) where() (string, []any) {
	var conds []string
	var args []any
	if q.Process != "" {
		conds, args = append(conds, "process = ?"), append(args, q.Process)
	}
	if q.Tenant != "" {
		conds, args = append(conds, "tenant = ?"), append(args, q.Tenant)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List returns timeline entries in log order (newest first with q.Newest), read through db (a
// query-only pool).
func List(ctx context.Context, db *sql.DB, q Query) (Result, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Result{}, err
	}
	defer tx.Rollback()
	t, pos, err := runner.Active(ctx, tx, Name)
	if err != nil {
		return Result{}, err
	}
	where, args := q.where()
	order := " ORDER BY position"
	if q.Newest {
		order += " DESC"
	}
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT position, process, tenant, at, actor, type, facts FROM {entry}`+where+order+` LIMIT ?`),
		append(args, q.Limit)...)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	res := Result{Position: pos.String(), Entries: []Entry{}}
	for rows.Next() {
		var e Entry
		var at int64
		var stored []byte
		if err := rows.Scan(&e.Position, &e.Process, &e.Tenant, &at, &e.Actor, &e.Type, &stored); err != nil {
			return Result{}, err
		}
		fs, err := parseFacts(stored)
		if err != nil {
			return Result{}, fmt.Errorf("audit: entry %s: %w", e.Position, err)
		}
		s := tell(e.Type, e.Actor, fs)
		e.At, e.De, e.En = time.Unix(0, at).UTC(), s.De, s.En
		res.Entries = append(res.Entries, e)
	}
	return res, rows.Err()
}
