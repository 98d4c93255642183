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
	if err := trackProcess(ctx, tx, t, id, payload); err != nil {
		return err
	}
	var tenant, tmpl string
	var version int
	if err := tx.QueryRowContext(ctx, t.Q(`SELECT tenant, template, version FROM {process} WHERE id = ?`), id).Scan(&tenant, &tmpl, &version); err != nil && err != sql.ErrNoRows {
		return err
	}
	actor := e.Metadata.Actor
	if actor == "" {
		actor = "civicflow"
	}
	s := sentence(actor, payload, titles(ctx, tx, t, tmpl, version))
	_, err = tx.ExecContext(ctx, t.Q(`INSERT INTO {entry} (position, process, tenant, at, actor, type, de, en) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		int64(e.Position.Commit()), id, tenant, e.RecordedAt.UTC().Format(time.RFC3339Nano), actor, e.Type, s.De, s.En)
	return err
}

// trackProcess remembers each process's tenant and template version.
func trackProcess(ctx context.Context, tx *sql.Tx, t runner.Tables, id string, payload process.Payload) error {
	var err error
	switch p := payload.(type) {
	case process.ProcessOpened:
		_, err = tx.ExecContext(ctx, t.Q(`INSERT OR REPLACE INTO {process} (id, tenant, template, version) VALUES (?, ?, ?, ?)`), id, p.Tenant, p.TemplateID, p.TemplateVersion)
	case process.ProcessMigrated:
		_, err = tx.ExecContext(ctx, t.Q(`UPDATE {process} SET version = ? WHERE id = ?`), p.ToVersion, id)
	}
	return err
}

// titles looks titles up in the template version; a key stands for itself when none is found.
func titles(ctx context.Context, tx *sql.Tx, t runner.Tables, tmpl string, version int) namer {
	return func(kind, key string) Title {
		var title Title
		err := tx.QueryRowContext(ctx, t.Q(`SELECT de, en FROM {title} WHERE template = ? AND version = ? AND kind = ? AND key = ?`),
			tmpl, version, kind, key).Scan(&title.De, &title.En)
		if err != nil {
			_, k, _ := strings.Cut(key, "/")
			if k == "" {
				k = key
			}
			return Title{De: k, En: k}
		}
		return title
	}
}

func applyTemplate(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	var pub template.Published
	if err := json.Unmarshal(e.Data, &pub); err != nil {
		return err
	}
	put := func(kind, key string, title template.Text) error {
		_, err := tx.ExecContext(ctx, t.Q(`INSERT OR REPLACE INTO {title} (template, version, kind, key, de, en) VALUES (?, ?, ?, ?, ?, ?)`),
			pub.Template.ID, pub.Template.Version, kind, key, title.De, title.En)
		return err
	}
	for _, s := range pub.Template.Stages {
		if err := put("stage", s.Key, s.Title); err != nil {
			return err
		}
		for _, k := range s.Tasks {
			if err := put("task", s.Key+"/"+k.Key, k.Title); err != nil {
				return err
			}
		}
		for _, a := range s.Approvals {
			if err := put("approval", s.Key+"/"+a.Key, a.Title); err != nil {
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
