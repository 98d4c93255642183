package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// openForm is the first screen's form to open a process from a template's latest version, for
// the roles that may open processes; it also returns how many templates it offers.
func (d *Dashboard) openForm(ctx context.Context, p *page, a process.Actor, failed *formState) (*form, int, error) {
	if !a.Allowed(process.ActOpen) {
		return nil, 0, nil
	}
	list, err := d.cfg.Engine.TemplatesFor(ctx, a) // the installation's and the own tenant's, never another's
	if err != nil {
		return nil, 0, err
	}
	tpl := field{Name: "template", Label: p.T("field.template"), Kind: "select", Required: true}
	for _, tv := range list {
		if !tv.Retired {
			tpl.Options = append(tpl.Options, option{tv.Template.ID, p.Text(tv.Template.Title)})
		}
	}
	sortOptions(tpl.Options)
	fs := &formSet{p: p, failed: failed}
	f := fs.new("open", "", p.T("form.open"), "form.open.submit", fs.text("title", "field.title", true), tpl,
		fs.text("programme", "field.programme", false))
	return f, len(tpl.Options), nil
}

// openProcess handles the open form (POST /processes/open): Engine.Open with the form's key as
// the command ID (a double submit opens one process), then the new process's page.
func (d *Dashboard) openProcess(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !validCSRF(rq.session, r) || !rq.actor.Allowed(process.ActOpen) {
		return errForbidden
	}
	v := r.PostForm
	key := v.Get("key")
	if key == "" || len(key) > 200 {
		return errForbidden
	}
	st := &formState{Command: "open", Values: map[string]string{"title": v.Get("title"), "template": v.Get("template"), "programme": v.Get("programme")}}
	in := engine.OpenProcess{Template: v.Get("template"), Title: strings.TrimSpace(v.Get("title")), Programme: strings.TrimSpace(v.Get("programme"))}
	res, err := d.cfg.Engine.Open(r.Context(), process.Meta{Actor: rq.actor, CommandID: "web:" + key}, in)
	if err != nil {
		status, err := d.explain(rq.lang, err, st, 0)
		if err != nil {
			return errTemplate(err)
		}
		return d.showOverview(w, r, rq, status, st)
	}
	http.Redirect(w, r, "/processes/"+res.Process.String()+"?done=open", http.StatusSeeOther)
	return nil
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// joinList joins items with semicolons.
func joinList(items []string) string { return strings.Join(items, "; ") }
