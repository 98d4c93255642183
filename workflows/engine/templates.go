package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// ErrTemplateNotFound means no such template or version is published, or the actor may not see
// it (another tenant's template).
var ErrTemplateNotFound = errors.New("engine: template not found")

// TemplateVersion is a published version with its state.
type TemplateVersion struct {
	// Template is the version; its ID is the full ID (template.Qualify).
	Template template.Template `json:"template"`
	Hash     string            `json:"hash"`
	Retired  bool              `json:"retired"`
	// Owner is template.Installation ("*") or the tenant whose template it is.
	Owner string `json:"owner"`
	// DerivedFrom is the installation template version a tenant's template was copied from.
	DerivedFrom *template.Source `json:"derived_from,omitempty"`
}

type templateCache struct {
	mu       sync.Mutex
	versions map[string][]TemplateVersion // by full template ID, in version order
	loaded   map[string]int64             // stream version read so far
}

func newTemplateCache() *templateCache {
	return &templateCache{versions: map[string][]TemplateVersion{}, loaded: map[string]int64{}}
}

// published returns version (≥ 1) of the template with the full ID when it was read already.
func (c *templateCache) published(id string, version int) (template.Template, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs := c.versions[id]
	if version < 1 || version > len(vs) {
		return template.Template{}, false
	}
	return vs[version-1].Template, true
}

// refresh reads new events of the stream of the template with the full ID. The read runs without
// the cache's lock: every command asks for its process's template, and with the read under the
// lock the commands of all processes queued behind one another's store reads (BenchmarkHistory's
// mutex profile at 10^6 events: a fifth of the server's lock waiting, see the README). Events that a
// concurrent refresh applied meanwhile are skipped; each read covers the versions from its start
// to the stream's end, so what is applied stays contiguous. Like take, it reads without
// cancellation (the stream is short; a cancellable query costs the driver a goroutine).
func (e *Engine) refresh(ctx context.Context, id string) ([]TemplateVersion, error) {
	c := e.templates
	c.mu.Lock()
	from := c.loaded[id] + 1
	c.mu.Unlock()
	events, err := e.cfg.Store.ReadStream(context.WithoutCancel(ctx), template.StreamOf(id), eventstore.ReadStreamOptions{From: from})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ev := range events {
		if ev.Version <= c.loaded[id] {
			continue // applied by a concurrent refresh
		}
		switch ev.Type {
		case template.TypePublished:
			var p template.Published
			if err := json.Unmarshal(ev.Data, &p); err != nil {
				return nil, fmt.Errorf("engine: %s v%d: %w", ev.Stream, ev.Version, err)
			}
			c.versions[id] = append(c.versions[id], TemplateVersion{Template: p.Template, Hash: p.Hash,
				Owner: template.OwnerOf(id), DerivedFrom: p.DerivedFrom})
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

// Template returns a published version of the template with the full ID (version 0: the
// latest), whoever owns it: for a process's own template and the engine's use. A request on
// behalf of a user goes through TemplateFor.
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

// TemplateFor returns a version of the template that id names for the actor (see Resolve).
func (e *Engine) TemplateFor(ctx context.Context, a process.Actor, id string, version int) (TemplateVersion, error) {
	full, err := e.Resolve(ctx, a, id)
	if err != nil {
		return TemplateVersion{}, err
	}
	return e.Template(ctx, full, version)
}

// Resolve returns the full ID of the template that id names for the actor. A full ID
// ("<tenant>:<id>") names that tenant's template, which only its own users and installation
// administrators see (to others it is ErrTemplateNotFound, like every other tenant's data). An ID
// without a tenant names the actor's tenant's own template of that ID when there is one, else
// the installation template: a tenant's derived "beteiligung-standard" stands in for the
// installation's in that tenant only. For installation administrators it names the
// installation template.
func (e *Engine) Resolve(ctx context.Context, a process.Actor, id string) (string, error) {
	if strings.Contains(id, ":") {
		if !a.Sees(template.OwnerOf(id)) {
			return "", fmt.Errorf("%w: %s", ErrTemplateNotFound, id)
		}
		return id, nil
	}
	if a.Installation || a.Tenant == "" {
		return id, nil
	}
	own := template.Qualify(a.Tenant, id)
	vs, err := e.refresh(ctx, own)
	if err != nil || len(vs) > 0 {
		return own, err
	}
	return id, nil
}

// Templates returns the latest version of every published template of every owner, by full ID.
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

// TemplatesFor returns the latest version of every template the actor sees: the installation's
// and their own tenant's (every tenant's for installation administrators).
func (e *Engine) TemplatesFor(ctx context.Context, a process.Actor) ([]TemplateVersion, error) {
	all, err := e.Templates(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, tv := range all {
		if tv.Owner == template.Installation || a.Sees(tv.Owner) {
			out = append(out, tv)
		}
	}
	return out, nil
}
