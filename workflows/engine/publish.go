package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

// publisher returns whose templates the actor publishes, derives and retires: the installation's
// for installation administrators, their own tenant's for a tenant's administrators. Other roles
// are forbidden to.
func publisher(a process.Actor, action string) (string, error) {
	switch {
	case a.Role != template.RoleAdministrator:
		return "", &process.ForbiddenError{Role: a.Role, Action: action}
	case a.Installation:
		return template.Installation, nil
	case a.Tenant == "":
		return "", &process.InvalidError{Field: "tenant", Problem: "is required: a template belongs to the administrator's tenant"}
	}
	return a.Tenant, nil
}

// PublishTemplate validates a template completely (gates included) and records it as the next
// version of the publisher's template with its ID: an installation administrator's is an
// installation template (ID as written), a tenant administrator's is the tenant's ("<tenant>:<id>",
// seen by nobody else). Publishing the same content as the latest version again returns that
// version and writes nothing. Only administrators publish.
func (e *Engine) PublishTemplate(ctx context.Context, m process.Meta, tpl template.Template) (TemplateVersion, error) {
	m = e.meta(m)
	owner, err := publisher(m.Actor, "publish templates")
	if err != nil {
		return TemplateVersion{}, err
	}
	tpl.Version = 0
	if err := template.Validate(&tpl, e.cfg.Gates); err != nil {
		return TemplateVersion{}, err
	}
	tpl.ID = template.Qualify(owner, tpl.ID)
	return e.publish(ctx, m, tpl, nil)
}

// DeriveTemplate copies an installation template version into the actor's tenant.
type DeriveTemplate struct {
	// From is the installation template's ID. Required.
	From string `json:"-"`
	// Version is the version copied; 0 (the default) the latest.
	Version int `json:"version,omitempty"`
	// ID is the copy's ID in the tenant; default From, so that the copy stands in for the
	// installation template in the tenant (see Resolve).
	ID string `json:"id,omitempty"`
}

// DeriveTemplate publishes a copy of an installation template version as the next version of the
// actor's own template, recording where it came from (template.Source: ID, version, content hash).
// Another tenant's template is ErrTemplateNotFound, the own tenant's is invalid (only installation
// templates are derived), a retired version is refused. The same content as the copy's latest version writes nothing.
func (e *Engine) DeriveTemplate(ctx context.Context, m process.Meta, d DeriveTemplate) (TemplateVersion, error) {
	m = e.meta(m)
	if from := template.OwnerOf(d.From); from != template.Installation && !m.Actor.Sees(from) {
		return TemplateVersion{}, fmt.Errorf("%w: %s", ErrTemplateNotFound, d.From) // another tenant's, to every role
	}
	owner, err := publisher(m.Actor, "derive templates")
	if err != nil {
		return TemplateVersion{}, err
	}
	if template.OwnerOf(d.From) != template.Installation {
		return TemplateVersion{}, &process.InvalidError{Field: "template", Problem: "only installation templates are derived; publish a new version of your own instead"}
	}
	src, err := e.Template(ctx, d.From, d.Version)
	if err != nil {
		return TemplateVersion{}, err
	}
	if src.Retired {
		return TemplateVersion{}, &process.RefusedError{Rule: "template_retired", Reasons: []string{fmt.Sprintf(
			"Vorlage %s v%d ist zurückgezogen / template %s v%d is retired", src.Template.ID, src.Template.Version, src.Template.ID, src.Template.Version)}}
	}
	tpl := src.Template
	tpl.ID, tpl.Version = d.ID, 0
	if tpl.ID == "" {
		tpl.ID = d.From
	}
	if err := template.Validate(&tpl, e.cfg.Gates); err != nil {
		return TemplateVersion{}, err
	}
	if tpl.ID = template.Qualify(owner, tpl.ID); tpl.ID == src.Template.ID {
		return TemplateVersion{}, &process.InvalidError{Field: "id", Problem: "is the installation template itself; give the copy another ID"}
	}
	return e.publish(ctx, m, tpl, &template.Source{ID: src.Template.ID, Version: src.Template.Version, Hash: src.Hash})
}

// publish records tpl (its ID full, validated) as the next version of its template, unless the
// latest version has the same content.
func (e *Engine) publish(ctx context.Context, m process.Meta, tpl template.Template, from *template.Source) (TemplateVersion, error) {
	hash := template.Hash(tpl)
	for attempt := 0; ; attempt++ {
		vs, err := e.refresh(ctx, tpl.ID)
		if err != nil {
			return TemplateVersion{}, err
		}
		if n := len(vs); n > 0 && vs[n-1].Hash == hash {
			return vs[n-1], nil
		}
		tpl.Version = len(vs) + 1
		b, err := json.Marshal(template.Published{Template: tpl, Hash: hash, By: m.Actor.User, DerivedFrom: from})
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

// PublishSeeds publishes, as installation templates, every embedded template whose ID has no
// published version yet, so an administrator's later versions are never replaced by the embedded
// one. Only installation administrators publish them.
func (e *Engine) PublishSeeds(ctx context.Context, m process.Meta) ([]TemplateVersion, error) {
	if !m.Actor.Installation {
		return nil, &process.ForbiddenError{Role: m.Actor.Role, Action: "publish the embedded templates (installation administrators only)"}
	}
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

// RetireTemplate retires a version of the template that id names for the actor (see Resolve): it
// opens no new processes; running ones go on. A tenant's administrators retire their own
// tenant's templates, installation administrators any. Another tenant's template is
// ErrTemplateNotFound to every role, like every other tenant's data; an installation template is
// forbidden to a tenant's users.
func (e *Engine) RetireTemplate(ctx context.Context, m process.Meta, id string, version int, reason string) (TemplateVersion, error) {
	m = e.meta(m)
	full, err := e.Resolve(ctx, m.Actor, id)
	if err != nil {
		return TemplateVersion{}, err
	}
	tv, err := e.Template(ctx, full, version)
	if err != nil {
		return TemplateVersion{}, err
	}
	if _, err := publisher(m.Actor, "retire templates"); err != nil {
		return TemplateVersion{}, err
	}
	switch {
	case !m.Actor.Installation && tv.Owner != m.Actor.Tenant:
		return TemplateVersion{}, &process.ForbiddenError{Role: m.Actor.Role, Action: "retire installation templates (installation administrators only)"}
	case reason == "":
		return TemplateVersion{}, &process.InvalidError{Field: "reason", Problem: "is required"}
	case tv.Retired:
		return tv, nil
	}
	b, _ := json.Marshal(template.Retired{Version: tv.Template.Version, Reason: reason, By: m.Actor.User})
	_, err = e.cfg.Store.Append(ctx, template.StreamOf(full), eventstore.StreamExists, eventstore.EventData{
		ID: eventID(m, 0), Type: template.TypeRetired, SchemaVersion: 1, Data: b,
		Metadata: eventstore.Metadata{Tenant: m.Actor.Tenant, Actor: m.Actor.User, CommandID: m.CommandID}})
	if err != nil {
		return TemplateVersion{}, err
	}
	return e.Template(ctx, full, tv.Template.Version)
}
