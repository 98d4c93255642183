package web

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// migrateForm lets an administrator move a process to another published version of its template
// (Engine's Migrate: with a stage mapping where a stage is missing in the target, and a reason).
// Nil when the role may not or there is no other version.
func (d *Dashboard) migrateForm(ctx context.Context, fs *formSet, a process.Actor, pr *process.Process) *form {
	if !a.Allowed(process.ActMigrate) {
		return nil
	}
	to := field{Name: "to_version", Label: fs.p.T("field.to_version"), Kind: "select", Required: true}
	for v := 1; ; v++ {
		tv, err := d.cfg.Engine.Template(ctx, pr.TemplateID, v)
		if errors.Is(err, engine.ErrTemplateNotFound) || err != nil {
			break
		}
		if v != pr.TemplateVersion && !tv.Retired {
			to.Options = append(to.Options, option{strconv.Itoa(v), fs.p.T("templates.version") + " " + strconv.Itoa(v)})
		}
	}
	if len(to.Options) == 0 {
		return nil
	}
	mapping := fs.text("stage_mapping", "field.stage_mapping", false)
	mapping.Hint = fs.p.T("field.stage_mapping.hint")
	return fs.new("migrate", "", fs.p.T("form.migrate")+" ("+fs.p.T("templates.version")+" "+strconv.Itoa(pr.TemplateVersion)+")",
		"form.migrate.submit", to, mapping, fs.textarea("reason", "field.reason", true))
}

// decodeMigrate reads the migrate form: the target version and a mapping "old=new, old2=new2".
func decodeMigrate(v url.Values) (engine.Command, *fieldProblem) {
	n, bad := intField(v, "to_version")
	if bad != nil {
		return nil, bad
	}
	m := engine.Migrate{ToVersion: n, Reason: v.Get("reason")}
	for _, pair := range strings.FieldsFunc(v.Get("stage_mapping"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		from, to, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, &fieldProblem{"stage_mapping", "problem.mapping"}
		}
		if m.StageMapping == nil {
			m.StageMapping = map[string]string{}
		}
		m.StageMapping[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return m, nil
}
