package web

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/engine"
)

// seesPersonalData reports whether the role may read names: participants' and users'. Viewers
// (the public) may not.
func seesPersonalData(a process.Actor) bool {
	switch a.Role {
	case domain.RoleAdministrator, domain.RoleLead, domain.RoleMember, domain.RoleAuditor:
		return true
	}
	return false
}

// tenants is the process list's tenant filter for an actor: nil (every tenant) for an
// installation administrator, else the actor's tenant.
func tenants(a process.Actor) []string {
	if a.Installation {
		return nil
	}
	return []string{a.Tenant}
}

// summaries returns every process of the actor's tenant (of one template, if given), newest first,
// once the list shows every write acknowledged before (waiting at most a second for it).
func (d *Dashboard) summaries(ctx context.Context, actor process.Actor, templateID string) ([]processlist.Summary, error) {
	wait, cancel := context.WithTimeout(ctx, time.Second)
	if err := d.cfg.List.CatchUp(wait, d.cfg.Store); err != nil {
		d.cfg.Logger.Warn("the process list did not catch up with the log", "err", err)
	}
	cancel()
	var out []processlist.Summary
	q := processlist.Query{Tenants: tenants(actor), Template: templateID, Limit: 500}
	for {
		page, err := d.cfg.List.Query(q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		q.After = page.Next
	}
}

// processes loads every process of the actor's tenant (of one template, if given).
func (d *Dashboard) processes(ctx context.Context, actor process.Actor, templateID string) ([]*process.Process, error) {
	list, err := d.summaries(ctx, actor, templateID)
	if err != nil {
		return nil, err
	}
	out := make([]*process.Process, 0, len(list))
	for _, s := range list {
		p, err := d.cfg.Engine.Load(ctx, actor, s.ID)
		if errors.Is(err, process.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// stageOf returns a template version's stage with its index (-1 when unknown).
func (d *Dashboard) stageOf(ctx context.Context, templateID string, version int, key string) (domain.Stage, int, domain.Text) {
	tv, err := d.cfg.Engine.Template(ctx, templateID, version)
	if err != nil {
		return domain.Stage{Key: key, Title: domain.Text{De: key, En: key}}, -1, domain.Text{De: templateID, En: templateID}
	}
	i := tv.Template.StageIndex(key)
	if i < 0 {
		return domain.Stage{Key: key, Title: domain.Text{De: key, En: key}}, -1, tv.Template.Title
	}
	return tv.Template.Stages[i], i, tv.Template.Title
}

// days is how many whole days lie between two instants.
func days(from, to time.Time) int {
	if to.Before(from) {
		return 0
	}
	return int(to.Sub(from) / (24 * time.Hour))
}

// percentile is the nearest-rank percentile (0 < q ≤ 1) of sorted values.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// stayDays returns, per stage key, the lengths in days of the finished stays of the processes.
func stayDays(ps []*process.Process) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range ps {
		for _, v := range p.Timeline {
			if !v.Left.IsZero() {
				out[v.Stage] = append(out[v.Stage], v.Left.Sub(v.Entered).Hours()/24)
			}
		}
	}
	for _, s := range out {
		sort.Float64s(s)
	}
	return out
}

// open reports whether a process is still running (active or suspended).
func open(s process.Status) bool {
	return s == process.StatusActive || s == process.StatusSuspended
}

// errTemplate maps a missing template to a 404.
func errTemplate(err error) error {
	if errors.Is(err, engine.ErrTemplateNotFound) {
		return errNotFound
	}
	return err
}
