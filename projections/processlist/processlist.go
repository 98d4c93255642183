// Package processlist is the read model behind process lists: one summary per process (tenant,
// template, stage, status, programme, title, lead, dates), kept current from the global log by a
// catch-up subscription (Run) or fed event by event (Apply), and held in memory. A start restores
// it from the snapshot it last saved (Save, Restore: checked against the log) and applies only the
// rest of the log; it says up to which position it is current, so a reader can wait for its own
// write.
//
//	list := processlist.New()
//	go list.Run(ctx, store)
//	list.WaitFor(ctx, res.Position)
//	page := list.Query(processlist.Query{Tenant: "leipzig", Stage: "execution", Limit: 50})
package processlist

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// Summary describes one process in a list.
type Summary struct {
	ID              uuid.UUID      `json:"id"`
	Tenant          string         `json:"tenant"`
	Title           string         `json:"title"`
	Lead            string         `json:"lead"`
	Programme       string         `json:"programme,omitempty"`
	Template        string         `json:"template"`
	TemplateVersion int            `json:"template_version"`
	Stage           string         `json:"stage"`
	Status          process.Status `json:"status"`
	OpenedAt        time.Time      `json:"opened_at"`
	StageEnteredAt  time.Time      `json:"stage_entered_at"`
	Version         int64          `json:"version"`
}

// List is the process list read model. It is safe for concurrent use.
type List struct {
	mu       sync.RWMutex
	states   map[uuid.UUID]*process.Process
	position eventstore.Position
	last     eventstore.Event    // the last event applied (stream, version, position, hash)
	saved    eventstore.Position // the position of the last snapshot saved or restored
	moved    chan struct{}       // closed and replaced whenever position moves
}

// New returns an empty list.
func New() *List {
	return &List{states: map[uuid.UUID]*process.Process{}, moved: make(chan struct{})}
}

// Run follows the store's log from the list's position (the beginning, or where Restore put it)
// until ctx ends or the store closes.
func (l *List) Run(ctx context.Context, store eventstore.Store) error {
	sub, err := store.Subscribe(ctx, eventstore.SubscribeOptions{After: l.Position(), Filter: followed})
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, eventstore.ErrClosed) {
				return nil
			}
			return err
		}
		l.Apply(ev)
	}
}

// ApplyLog applies the log after the list's position straight from store, in pages of up to page
// events (page > 0), until a page comes back short, and returns how many events it applied. serve
// calls it at start after Restore, before its router feeds the list from the position reached:
// through the router the rest of the log after the snapshot (up to a minute of it after a
// SIGKILL, all of a log written while the server was stopped) came at ~2,000–5,000 events/s on a
// loaded 2-core machine, which kept the server from being ready.
func (l *List) ApplyLog(ctx context.Context, store eventstore.Store, page int) (int, error) {
	n := 0
	for {
		events, err := store.ReadAll(ctx, eventstore.ReadAllOptions{After: l.Position(), Limit: page, Filter: followed})
		if err != nil {
			return n, fmt.Errorf("processlist: apply the log: %w", err)
		}
		for _, ev := range events {
			l.Apply(ev)
		}
		n += len(events)
		if len(events) < page {
			return n, nil
		}
	}
}

// Apply applies one event of the log, in log order (events of other streams only move the
// position); an event at or before the list's position (delivered again) changes nothing. serve
// feeds the list through its Watermill router.
func (l *List) Apply(ev eventstore.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ev.Position.Compare(l.position) <= 0 {
		return
	}
	defer l.advance(ev)
	id, err := uuid.Parse(strings.TrimPrefix(ev.Stream, "process-"))
	if err != nil || !process.Known(ev.Type) {
		return
	}
	payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
	if err != nil {
		return
	}
	p := l.states[id]
	if p == nil {
		p = process.New(id)
		l.states[id] = p
	}
	p.Apply(process.Recorded{Payload: payload, Version: ev.Version, At: ev.RecordedAt})
}

func (l *List) advance(ev eventstore.Event) {
	l.position = ev.Position
	l.last = eventstore.Event{Stream: ev.Stream, Version: ev.Version, Position: ev.Position, Hash: ev.Hash, RecordedAt: ev.RecordedAt}
	close(l.moved)
	l.moved = make(chan struct{})
}

// Len returns how many processes the list holds.
func (l *List) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.states)
}

// Position is the position in the global log up to which the list is current.
func (l *List) Position() eventstore.Position {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.position
}

// WaitFor waits until the list has applied the log up to pos, or ctx ends.
func (l *List) WaitFor(ctx context.Context, pos eventstore.Position) error {
	for {
		l.mu.RLock()
		done, moved := l.position.Compare(pos) >= 0, l.moved
		l.mu.RUnlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-moved:
		}
	}
}

// CatchUp waits until the list has applied every process event that store had committed when
// CatchUp was called, so that a query after it shows every write acknowledged before, or until
// ctx ends. The list follows only process events, so it waits for the last of them up to the log's
// head, not for the head itself (a token or an audit record may come last). A store that cannot
// tell its head (not an eventstore.HeadReader) is not waited for.
func (l *List) CatchUp(ctx context.Context, store eventstore.Store) error {
	h, ok := store.(eventstore.HeadReader)
	if !ok {
		return nil
	}
	head, err := h.Head(ctx)
	if err != nil {
		return fmt.Errorf("processlist: catch up: %w", err)
	}
	for {
		pending, err := store.ReadAll(ctx, eventstore.ReadAllOptions{After: l.Position(), Limit: 1000, Filter: followed})
		if err != nil {
			return fmt.Errorf("processlist: catch up: %w", err)
		}
		var last eventstore.Position
		for _, e := range pending {
			if e.Position.Compare(head) > 0 {
				break
			}
			last = e.Position
		}
		if last.IsZero() {
			return nil
		}
		if err := l.WaitFor(ctx, last); err != nil {
			return err
		}
	}
}

// followed selects the events the list applies.
var followed = eventstore.Filter{StreamPrefixes: []string{"process-"}}

// Query selects processes; empty fields select all.
type Query struct {
	// Tenants restricts the list to these tenants; nil means every tenant.
	Tenants                                   []string
	Template, Stage, Status, Programme, After string
	// Limit is the page size: default 50, at most 500.
	Limit int
}

// ErrBadCursor means the After cursor was not issued by Query.
var ErrBadCursor = errors.New("processlist: bad cursor")

// Page is one page of a query.
type Page struct {
	Items []Summary `json:"items"`
	// Next is the cursor of the next page; empty on the last.
	Next string `json:"next,omitempty"`
	// Position is how far the list is current.
	Position string `json:"position"`
}

// Query returns one page of matching processes, newest first.
func (l *List) Query(q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	var afterTime time.Time
	var afterID uuid.UUID
	if q.After != "" {
		var err error
		if afterTime, afterID, err = decodeCursor(q.After); err != nil {
			return Page{}, err
		}
	}
	l.mu.RLock()
	all := make([]Summary, 0, len(l.states))
	for _, p := range l.states {
		if p.Version == 0 || !matches(p, q) {
			continue
		}
		all = append(all, summary(p))
	}
	pos := l.position
	l.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return before(all[i], all[j]) })
	start := 0
	if q.After != "" {
		start = sort.Search(len(all), func(i int) bool {
			return before(Summary{OpenedAt: afterTime, ID: afterID}, all[i])
		})
	}
	end := min(start+q.Limit, len(all))
	page := Page{Items: all[start:end], Position: pos.String()}
	if end < len(all) && end > start {
		last := all[end-1]
		page.Next = encodeCursor(last.OpenedAt, last.ID)
	}
	return page, nil
}

// before orders newest first, then by ID.
func before(a, b Summary) bool {
	if !a.OpenedAt.Equal(b.OpenedAt) {
		return a.OpenedAt.After(b.OpenedAt)
	}
	return a.ID.String() < b.ID.String()
}

func matches(p *process.Process, q Query) bool {
	if q.Tenants != nil && !contains(q.Tenants, p.Tenant) {
		return false
	}
	return (q.Template == "" || p.TemplateID == q.Template) && (q.Stage == "" || p.Stage == q.Stage) &&
		(q.Status == "" || string(p.Status) == q.Status) && (q.Programme == "" || p.Programme == q.Programme)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func summary(p *process.Process) Summary {
	return Summary{ID: p.ID, Tenant: p.Tenant, Title: p.Title, Lead: p.Lead, Programme: p.Programme,
		Template: p.TemplateID, TemplateVersion: p.TemplateVersion, Stage: p.Stage, Status: p.Status,
		OpenedAt: p.OpenedAt, StageEnteredAt: p.StageEnteredAt, Version: p.Version}
}

func encodeCursor(t time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func decodeCursor(s string) (time.Time, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	ts, idText, ok := strings.Cut(string(b), "|")
	t, err1 := time.Parse(time.RFC3339Nano, ts)
	id, err2 := uuid.Parse(idText)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, fmt.Errorf("%w: %q", ErrBadCursor, s)
	}
	return t, id, nil
}

// Group is one combination of the labels processes are counted by: all bounded (no process ID,
// title or person).
type Group struct {
	Tenant, Template, Stage string
	Status                  process.Status
}

// Counts returns how many processes the list holds in each group.
func (l *List) Counts() map[Group]int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := map[Group]int{}
	for _, p := range l.states {
		if p.Version == 0 {
			continue
		}
		out[Group{Tenant: p.Tenant, Template: p.TemplateID, Stage: p.Stage, Status: p.Status}]++
	}
	return out
}

// EachStay calls fn for every finished stage visit of every process (left by completion,
// reversal, migration or closing the process) with the visit's length. fn runs while the list is
// locked for reading and must not call the list.
func (l *List) EachStay(fn func(template, stage string, stayed time.Duration)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, p := range l.states {
		for _, v := range p.Timeline {
			if !v.Left.IsZero() {
				fn(p.TemplateID, v.Stage, v.Left.Sub(v.Entered))
			}
		}
	}
}

// Select returns reader's copies (process.View) of the processes of tenant for which keep is
// true, oldest first (then by ID), and whether the tenant has any process at all. keep sees the
// list's own state while the list is locked for reading: it must not change or keep it.
func (l *List) Select(tenant string, keep func(*process.Process) bool) ([]*process.Process, bool) {
	l.mu.RLock()
	var out []*process.Process
	known := false
	for _, p := range l.states {
		if p.Version == 0 || p.Tenant != tenant {
			continue
		}
		known = true
		if keep(p) {
			out = append(out, p.View())
		}
	}
	l.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].OpenedAt.Equal(out[j].OpenedAt) {
			return out[i].OpenedAt.Before(out[j].OpenedAt)
		}
		return out[i].ID.String() < out[j].ID.String()
	})
	return out, known
}
