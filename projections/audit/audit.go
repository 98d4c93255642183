// Package audit is the audit timeline read model: who did what and when, per process, as a
// readable sentence in German and in English. It holds no personal data: participants appear by
// their stakeholder group, never by their (sealed) names, and contribution texts are not kept.
package audit

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/payloads"
	"github.com/civicflow/civicflow/projections/runner"
)

// Name is the read model's name.
const Name = "audit_timeline"

// Projection keeps the audit timeline.
type Projection struct{}

var (
	_ runner.Projection = Projection{}
	_ runner.Preparer   = Projection{}
)

// Name returns "audit_timeline".
func (Projection) Name() string { return Name }

// Version is the version of this code's tables and sentences. Version 2 keeps each event's
// facts and renders its sentences when read, instead of storing both sentences; version 3 keeps
// a process's entries in chunks of ChunkSize events (one row each) instead of a row per event;
// version 4 names a measure by its title (kept in a measure table) instead of its key; version 5
// writes each entry as a shorter line (appendLine) instead of a JSON array (issue 16: bytes per
// event); version 6 writes each line relative to the one before it in its chunk (a chunk row
// keeps its last line's time, actor and type for the next batch) and its process table WITHOUT
// ROWID.
func (Projection) Version() int { return 6 }

// Filter selects process and template events (for the titles of stages and tasks).
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}}
}

// ChunkSize is how many consecutive events of a process stream one row of the timeline covers:
// the events of versions 1–64 are chunk 0, 65–128 chunk 1 and so on. The chunk of an event
// depends on nothing but its stream version, so a rebuild in pages and a runner in small batches
// write the same rows. A row per chunk instead of a row per event makes a rebuild write a
// sixty-fourth of the rows and index entries; a read decodes a chunk's lines.
const ChunkSize = 64

// Schema returns the tables of one build. A chunk row holds the entries of one process's events
// of one chunk (see ChunkSize) that the timeline tells, one line each in log order (see
// appendLine), with the positions of its first and last entry and the last entry's time, actor
// and type (what the next line is written relative to); tenant is the process's tenant.
func (Projection) Schema(t runner.Tables) []string {
	return []string{
		t.Q(`CREATE TABLE {chunk} (process TEXT NOT NULL, chunk INTEGER NOT NULL, tenant TEXT NOT NULL,
			first INTEGER NOT NULL, last INTEGER NOT NULL, last_at INTEGER NOT NULL, last_actor TEXT NOT NULL, last_type TEXT NOT NULL,
			entries TEXT NOT NULL, PRIMARY KEY (process, chunk))`),
		t.Q(`CREATE INDEX {chunk_tenant_first} ON {chunk} (tenant, first)`),
		t.Q(`CREATE INDEX {chunk_tenant_last} ON {chunk} (tenant, last)`),
		t.Q(`CREATE INDEX {chunk_first} ON {chunk} (first)`),
		t.Q(`CREATE INDEX {chunk_last} ON {chunk} (last)`),
		t.Q(`CREATE TABLE {process} (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, template TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {measure} (process TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (process, id)) WITHOUT ROWID`),
		t.Q(`CREATE TABLE {title} (template TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
			de TEXT NOT NULL, en TEXT NOT NULL, PRIMARY KEY (template, version, kind, key))`),
	}
}

// Apply adds one entry for a process event and keeps the titles of published templates.
func (p Projection) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

// ApplyBatch adds the entries of a batch of events, gathered per chunk and written with one
// upsert per chunk (multi-row statements) that appends them to the chunk's lines; the processes'
// templates and the titles are looked up once per batch.
func (Projection) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	x := &teller{s: s, procs: map[string]proc{}, titles: map[titleKey]Title{}, measures: map[measureKey]Title{},
		chunks: map[chunkKey]*pending{}}
	if p, ok := runner.Pass(ctx, passKey{}, newPassed); ok {
		x.passed, x.procs, x.titles = p, p.procs, p.titles
	}
	for _, e := range events {
		if err := x.apply(e); err != nil {
			return err
		}
	}
	return x.flush()
}

// teller gathers a batch's entries per chunk; procs and titles cache the tables' rows for the
// batch (for the whole pass in a rebuild).
type teller struct {
	s        *runner.Stmts
	procs    map[string]proc
	titles   map[titleKey]Title
	measures map[measureKey]Title
	chunks   map[chunkKey]*pending
	order    []chunkKey // the chunks in the order of their first entry in the batch
	passed   *passed    // in a rebuild pass: what it wrote; nil elsewhere
}

type passKey struct{}

// passed is what a rebuild pass (runner.Pass) keeps of the timeline it wrote: each process's
// last chunk written, so that the pass neither reads a chunk back nor looks for one it never
// wrote (the pass started from empty tables), and the rows of the processes and titles, read or
// written once per pass instead of once per batch. A process's earlier chunks are forgotten:
// the stream's versions only grow, so no later event falls into them.
type passed struct {
	last   map[string]lastChunk
	procs  map[string]proc
	titles map[titleKey]Title
}

// lastChunk is a process's last chunk written in the pass: its number, the position of its first
// line and its last line.
type lastChunk struct {
	chunk int64
	first int64
	last  line
}

func newPassed() *passed {
	return &passed{last: map[string]lastChunk{}, procs: map[string]proc{}, titles: map[titleKey]Title{}}
}

// chunkBytes is room for a chunk's lines of the usual length (most are under 80 bytes).
const chunkBytes = ChunkSize * 80

// chunkKey names a chunk row: a process and the number of its chunk.
type chunkKey struct {
	process string
	chunk   int64
}

// pending is what a batch adds to one chunk: its lines, the position of the chunk's first line,
// the last line (the chunk's before the batch, then the batch's), and the process's tenant.
type pending struct {
	tenant string
	first  int64
	last   line
	lines  []byte
	fresh  bool // a chunk the rebuild pass has not written: not in the table
}

// flush writes the batch's chunks: a new chunk is inserted, an existing one gets the lines
// appended and its last line moved.
func (x *teller) flush() error {
	in := runner.NewInserter(x.s, `INSERT INTO {chunk} (process, chunk, tenant, first, last, last_at, last_actor, last_type, entries) VALUES`, 9, 0).
		OnConflict(`ON CONFLICT (process, chunk) DO UPDATE SET last = excluded.last, last_at = excluded.last_at,
			last_actor = excluded.last_actor, last_type = excluded.last_type, entries = {chunk}.entries || excluded.entries`)
	for _, k := range x.order {
		p := x.chunks[k]
		add := in.Add
		if p.fresh {
			add = in.AddNew
		}
		if err := add(k.process, k.chunk, p.tenant, p.first, p.last.position, p.last.at, p.last.actor, p.last.typ, string(p.lines)); err != nil {
			return err
		}
		if x.passed != nil {
			x.passed.last[k.process] = lastChunk{chunk: k.chunk, first: p.first, last: p.last}
		}
	}
	return in.Flush()
}

// chunk returns what the batch adds to chunk k, starting it after the chunk's stored last line
// when the chunk exists (read once per batch), else as a new chunk starting at pos.
func (x *teller) chunk(k chunkKey, tenant string, pos int64) (*pending, error) {
	if p := x.chunks[k]; p != nil {
		return p, nil
	}
	p := &pending{tenant: tenant, first: pos, lines: make([]byte, 0, chunkBytes)}
	if x.passed != nil {
		if c, ok := x.passed.last[k.process]; !ok || c.chunk < k.chunk {
			// Not written in this pass, so not in the table: a new chunk.
			p.fresh = true
			return x.keep(k, p), nil
		} else if c.chunk == k.chunk {
			p.first, p.last = c.first, c.last
			return x.keep(k, p), nil
		}
	}
	if _, err := x.s.QueryRow(`SELECT first, last, last_at, last_actor, last_type FROM {chunk} WHERE process = ? AND chunk = ?`,
		[]any{k.process, k.chunk}, &p.first, &p.last.position, &p.last.at, &p.last.actor, &p.last.typ); err != nil {
		return nil, err
	}
	return x.keep(k, p), nil
}

// keep adds p as what the batch adds to chunk k.
func (x *teller) keep(k chunkKey, p *pending) *pending {
	x.chunks[k] = p
	x.order = append(x.order, k)
	return p
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

// Prepare decodes the payloads ApplyBatch will read, ahead of a rebuild's transaction (see
// runner.Preparer); what fails is left to ApplyBatch to report.
func (Projection) Prepare(ctx context.Context, events []eventstore.Event) {
	for _, e := range events {
		if !plain(e) && process.Known(e.Type) && strings.HasPrefix(e.Stream, "process-") {
			_, _ = payloads.Decode(ctx, e)
		}
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
	payload := withoutFields[e.Type]
	if !plain(e) {
		var err error
		if payload, err = payloads.Decode(x.s.Context(), e); err != nil {
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
	fs := facts(payload, func(kind, key string) Title {
		if kind == "measure" {
			return x.measure(id, key)
		}
		return x.title(titleKey{pr.template, pr.version, kind, key})
	})
	pos := int64(e.Position.Commit())
	p, err := x.chunk(chunkKey{id, (e.Version - 1) / ChunkSize}, pr.tenant, pos)
	if err != nil {
		return err
	}
	l := line{position: pos, at: e.RecordedAt.UnixNano(), actor: actor, typ: e.Type}
	if p.lines, err = appendLine(p.lines, l, p.last, fs); err != nil {
		return err
	}
	p.last = l
	return nil
}

// track remembers each process's tenant and template version.
func (x *teller) track(id string, payload process.Payload) error {
	switch p := payload.(type) {
	case process.ProcessOpened:
		x.procs[id] = proc{tenant: p.Tenant, template: p.TemplateID, version: p.TemplateVersion}
		return x.s.Exec(`INSERT INTO {process} (id, tenant, template, version) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, template = excluded.template, version = excluded.version`, id, p.Tenant, p.TemplateID, p.TemplateVersion)
	case process.MeasureDefined:
		x.measures[measureKey{id, p.Measure}] = Title{De: p.Title, En: p.Title}
		return x.s.Exec(`INSERT INTO {measure} (process, id, title) VALUES (?, ?, ?)
			ON CONFLICT (process, id) DO UPDATE SET title = excluded.title`, id, p.Measure, p.Title)
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
// measure names a measure of the process by its title, read once per batch; its key stands for
// itself when it was never defined.
func (x *teller) measure(process, key string) Title {
	k := measureKey{process, key}
	if t, ok := x.measures[k]; ok {
		return t
	}
	t := Title{De: key, En: key}
	var title string
	if found, err := x.s.QueryRow(`SELECT title FROM {measure} WHERE process = ? AND id = ?`, []any{process, key}, &title); found && err == nil {
		t = Title{De: title, En: title}
	}
	x.measures[k] = t
	return t
}

type measureKey struct{ process, id string }

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
		return s.Exec(`INSERT INTO {title} (template, version, kind, key, de, en) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (template, version, kind, key) DO UPDATE SET de = excluded.de, en = excluded.en`,
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

// where is the condition and the arguments that select q's chunks; each filter is a plain
// equality so that SQLite takes the primary key or a (tenant, …) index.
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
//
// The chunks of different processes interleave in the log, so List reads the selected chunks in
// the order of their first position (of their last, newest first) and keeps the q.Limit entries
// that come first among those read; it stops at the first chunk that starts after the last kept
// entry (ends before it, newest first), as every later chunk does too.
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
	order := " ORDER BY first"
	before := func(a, b int64) bool { return a < b }
	if q.Newest {
		order = " ORDER BY last DESC"
		before = func(a, b int64) bool { return a > b }
	}
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT process, tenant, first, last, entries FROM {chunk}`+where+order), args...)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	var kept []keptEntry
	for rows.Next() {
		var process, tenant string
		var first, last int64
		var entries []byte
		if err := rows.Scan(&process, &tenant, &first, &last, &entries); err != nil {
			return Result{}, err
		}
		start := first
		if q.Newest {
			start = last
		}
		if len(kept) == q.Limit && before(kept[q.Limit-1].position, start) {
			break
		}
		lines, err := parseLines(entries)
		if err != nil {
			return Result{}, fmt.Errorf("audit: chunk of %s from %d: %w", process, first, err)
		}
		for _, l := range lines {
			kept = append(kept, keptEntry{line: l, process: process, tenant: tenant})
		}
		slices.SortFunc(kept, func(a, b keptEntry) int {
			if q.Newest {
				return cmp.Compare(b.position, a.position)
			}
			return cmp.Compare(a.position, b.position)
		})
		kept = kept[:min(len(kept), q.Limit)]
	}
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	res := Result{Position: pos.String(), Entries: make([]Entry, 0, len(kept))}
	for _, k := range kept {
		fs, err := parseFacts(k.facts)
		if err != nil {
			return Result{}, fmt.Errorf("audit: entry %d: %w", k.position, err)
		}
		sn := tell(k.typ, k.actor, fs)
		res.Entries = append(res.Entries, Entry{Position: strconv.FormatInt(k.position, 10), Process: k.process, Tenant: k.tenant,
			At: time.Unix(0, k.at).UTC(), Actor: k.actor, Type: k.typ, De: sn.De, En: sn.En})
	}
	return res, nil
}

// keptEntry is an entry List keeps: a chunk's line and the chunk's process and tenant.
type keptEntry struct {
	line
	process, tenant string
}
