package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

// ErrTemplateNotFound means no such template or version is published.
var ErrTemplateNotFound = errors.New("engine: template not found")

// TemplateVersion is a published version with its state.
type TemplateVersion struct {
	Template template.Template `json:"template"`
	Hash     string            `json:"hash"`
	Retired  bool              `json:"retired"`
}

type templateCache struct {
	mu       sync.Mutex
	versions map[string][]TemplateVersion // by template ID, in version order
	loaded   map[string]int64             // stream version read so far
}

func newTemplateCache() *templateCache {
	return &templateCache{versions: map[string][]TemplateVersion{}, loaded: map[string]int64{}}
}

// refresh reads new events of the template's stream.
func (e *Engine) refresh(ctx context.Context, id string) ([]TemplateVersion, error) {
	c := e.templates
	c.mu.Lock()
	defer c.mu.Unlock()
	events, err := e.cfg.Store.ReadStream(ctx, template.StreamOf(id), eventstore.ReadStreamOptions{From: c.loaded[id] + 1})
	if err != nil {
		return nil, err
	}
	for _, ev := range events {
		switch ev.Type {
		case template.TypePublished:
			var p template.Published
			if err := json.Unmarshal(ev.Data, &p); err != nil {
				return nil, fmt.Errorf("engine: %s v%d: %w", ev.Stream, ev.Version, err)
			}
			c.versions[id] = append(c.versions[id], TemplateVersion{Template: p.Template, Hash: p.Hash})
		case template.TypeRetired:
			var r template.Retired
			if err := json.Unmarshal(ev.Data, &r); err != nil {
				return nil, fmt.Errorf("engine: %s v%d: %w", ev.Stream, ev.Version, err)
			}
			if r.Version >= 1 && r.Version <= len(c.versions[id]) {
				c.versions[id][r.Version-1].Retired = true
			}
		}
		c.loaded[id] = ev.Version
	}
	return append([]TemplateVersion(nil), c.versions[id]...), nil
}

// Template returns a published version (version 0: the latest).
func (e *Engine) Template(ctx context.Context, id string, version int) (TemplateVersion, error) {
	vs, err := e.refresh(ctx, id)
	if err != nil {
		return TemplateVersion{}, err
	}
	if version == 0 {
		version = len(vs)
	}
	if version < 1 || version > len(vs) {
		return TemplateVersion{}, fmt.Errorf("%w: %s v%d", ErrTemplateNotFound, id, version)
	}
	return vs[version-1], nil
}

// Templates returns the latest version of every published template, by ID.
func (e *Engine) Templates(ctx context.Context) ([]TemplateVersion, error) {
	var ids []string
	after := eventstore.Start
	for {
		page, err := e.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 1000,
			Filter: eventstore.Filter{StreamPrefixes: []string{"template-"}, EventTypes: []string{template.TypePublished}}})
		if err != nil {
			return nil, err
		}
		for _, ev := range page {
			if ev.Version == 1 {
				ids = append(ids, ev.Stream[len("template-"):])
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Position
	}
	sort.Strings(ids)
	out := make([]TemplateVersion, 0, len(ids))
	for _, id := range ids {
		tv, err := e.Template(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, tv)
	}
	return out, nil
}

// PublishTemplate validates a template completely (gates included) and records it as the next
// version. Publishing the same content as the latest version again returns that version and
// writes nothing. Only administrators publish.
func (e *Engine) PublishTemplate(ctx context.Context, m process.Meta, tpl template.Template) (TemplateVersion, error) {
	m = e.meta(m)
	if m.Actor.Role != template.RoleAdministrator {
		return TemplateVersion{}, &process.ForbiddenError{Role: m.Actor.Role, Action: "publish templates"}
	}
	tpl.Version = 0
	if err := template.Validate(&tpl, e.cfg.Gates); err != nil {
		return TemplateVersion{}, err
	}
	for attempt := 0; ; attempt++ {
		vs, err := e.refresh(ctx, tpl.ID)
		if err != nil {
			return TemplateVersion{}, err
		}
		hash := template.Hash(tpl)
		if n := len(vs); n > 0 && vs[n-1].Hash == hash {
			return vs[n-1], nil
		}
		tpl.Version = len(vs) + 1
		b, err := json.Marshal(template.Published{Template: tpl, Hash: hash, By: m.Actor.User})
		if err != nil {
			return TemplateVersion{}, err
		}
		_, err = e.cfg.Store.Append(ctx, template.StreamOf(tpl.ID), eventstore.Exact(int64(len(vs))), eventstore.EventData{
			ID: eventID(m, 0), Type: template.TypePublished, SchemaVersion: 1, Data: b,
			Metadata: eventstore.Metadata{Tenant: m.Actor.Tenant, Actor: m.Actor.User, CommandID: m.CommandID}})
		if errors.Is(err, eventstore.ErrConcurrency) && attempt < e.cfg.ConflictRetries {
			continue
		}
		if err != nil {
			return TemplateVersion{}, err
		}
		return e.Template(ctx, tpl.ID, tpl.Version)
	}
}

// PublishSeeds publishes every embedded template whose ID has no published version yet, so an
// administrator's later versions are never replaced by the embedded one.
func (e *Engine) PublishSeeds(ctx context.Context, m process.Meta) ([]TemplateVersion, error) {
	seeds, err := templates.Seeds()
	if err != nil {
		return nil, err
	}
	var out []TemplateVersion
	for _, s := range seeds {
		tpl, err := templates.Parse(s.Data)
		if err != nil {
			return nil, fmt.Errorf("engine: seed %s: %w", s.File, err)
		}
		if existing, err := e.Template(ctx, tpl.ID, 0); err == nil {
			out = append(out, existing)
			continue
		}
		m.CommandID = "seed/" + s.File + "/" + template.Hash(tpl)
		tv, err := e.PublishTemplate(ctx, m, tpl)
		if err != nil {
			return nil, fmt.Errorf("engine: seed %s: %w", s.File, err)
		}
		out = append(out, tv)
	}
	return out, nil
}

// RetireTemplate retires a version: it opens no new processes; running ones go on.
func (e *Engine) RetireTemplate(ctx context.Context, m process.Meta, id string, version int, reason string) error {
	m = e.meta(m)
	if m.Actor.Role != template.RoleAdministrator {
		return &process.ForbiddenError{Role: m.Actor.Role, Action: "retire templates"}
	}
	if reason == "" {
		return &process.InvalidError{Field: "reason", Problem: "is required"}
	}
	vs, err := e.refresh(ctx, id)
	if err != nil {
		return err
	}
	if version < 1 || version > len(vs) {
		return fmt.Errorf("%w: %s v%d", ErrTemplateNotFound, id, version)
	}
	if vs[version-1].Retired {
		return nil
	}
	b, _ := json.Marshal(template.Retired{Version: version, Reason: reason, By: m.Actor.User})
	_, err = e.cfg.Store.Append(ctx, template.StreamOf(id), eventstore.StreamExists, eventstore.EventData{
		ID: eventID(m, 0), Type: template.TypeRetired, SchemaVersion: 1, Data: b,
		Metadata: eventstore.Metadata{Tenant: m.Actor.Tenant, Actor: m.Actor.User, CommandID: m.CommandID}})
	return err
}
