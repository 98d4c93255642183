package web

import (
	"context"
	"errors"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// seesPersonalData reports whether the role may read names: participants' and users'. Viewers
// (the public) and programme coordinators may not.
func seesPersonalData(a process.Actor) bool { return a.SeesPersonalData() }

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
