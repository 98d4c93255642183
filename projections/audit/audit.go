// Package audit is the audit timeline read model: who did what and when, per process, as a
// readable sentence in German and in English. It holds no personal data: participants appear by
// their stakeholder group, never by their (sealed) names, and contribution texts are not kept.
package audit

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
const Name = "audit_timeline"

// Projection keeps the audit timeline.
type Projection struct{}

var _ runner.Projection = Projection{}

// Name returns "audit_timeline".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and sentences.
func (Projection) Version() int { return 1 }

// Filter selects process and template events (for the titles of stages and tasks).
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
}

// Schema returns the tables of one build.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {entry} (position INTEGER PRIMARY KEY, process TEXT NOT NULL, tenant TEXT NOT NULL,
			at TEXT NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL, de TEXT NOT NULL, en TEXT NOT NULL)`),
		t.Q(`CREATE INDEX {entry_process} ON {entry} (process, position)`),
		t.Q(`CREATE INDEX {entry_tenant} ON {entry} (tenant, position)`),
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL, version INTEGER NOT NULL)`),
		t.Q(`CREATE TABLE {title} (template TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
			de TEXT NOT NULL, en TEXT NOT NULL, PRIMARY KEY (template, version, kind, key))`),
	}
}

// Apply adds one sentence for a process event and keeps the titles of published templates.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch adds the sentences of a batch of events with statements prepared once; the
// processes' templates and the titles are looked up once per batch.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	x := teller{s: runner.NewStmts(ctx, tx, t), procs: map[string]proc{}, titles: map[titleKey]Title{}}
	defer x.s.Close()
	for _, e := range events {
		if err := x.apply(e); err != nil {
			return err
		}
	}
	return nil
}

// teller writes a batch's sentences; procs and titles cache the tables' rows for the batch.
type teller struct {
	s      *runner.Stmts
	procs  map[string]proc
	titles map[titleKey]Title
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

func (x teller) apply(e eventstore.Event) error {
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
	s := sentence(actor, payload, func(kind, key string) Title { return x.title(titleKey{pr.template, pr.version, kind, key}) })
	return x.s.Exec(`INSERT INTO {entry} (position, process, tenant, at, actor, type, de, en) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(e.Position.Commit()), id, pr.tenant, e.RecordedAt.UTC().Format(time.RFC3339Nano), actor, e.Type, s.De, s.En)
}

// track remembers each process's tenant and template version.
func (x teller) track(id string, payload process.Payload) error {
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
func (x teller) proc(id string) (proc, error) {
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
func (x teller) title(k titleKey) Title {
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
}

// List returns timeline entries in log order, read through db (a query-only pool).
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
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT position, process, tenant, at, actor, type, de, en FROM {entry}
		WHERE (? = '' OR tenant = ?) AND (? = '' OR process = ?) ORDER BY position LIMIT ?`), q.Tenant, q.Tenant, q.Process, q.Process, q.Limit)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	res := Result{Position: pos.String(), Entries: []Entry{}}
	for rows.Next() {
		var e Entry
		var at string
		if err := rows.Scan(&e.Position, &e.Process, &e.Tenant, &at, &e.Actor, &e.Type, &e.De, &e.En); err != nil {
			return Result{}, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		res.Entries = append(res.Entries, e)
	}
	return res, rows.Err()
}
