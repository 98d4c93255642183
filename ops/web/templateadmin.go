package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

type templateRow struct {
	ID, Title, Owner string
	Version          int
	Retired          bool
}

type templateStage struct {
	Key, Title               string
	TargetDays               int
	Tasks, Approvals, BackTo []string
	Gates                    []templateGate
}

type templateGate struct{ Title, Expr string }

type templateVersion struct {
	Version int
	Retired bool
	Stages  []templateStage
	Retire  *form
}

// templateProblem is a validation problem of an uploaded template with the line it is on (0 when
// the field is missing).
type templateProblem struct {
	Line          int
	Path, Message string
}

// templateList lists the templates the actor sees (the installation's and the own tenant's),
// and gives administrators the upload form.
func (d *Dashboard) templateList(w http.ResponseWriter, r *http.Request, rq request) error {
	return d.showTemplateList(w, r, rq, http.StatusOK, nil, nil)
}

func (d *Dashboard) showTemplateList(w http.ResponseWriter, r *http.Request, rq request, status int, failed *formState, problems []templateProblem) error {
	list, err := d.cfg.Engine.TemplatesFor(r.Context(), rq.actor)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "templates.title", "templates", nil)
	var rows []templateRow
	for _, tv := range list {
		rows = append(rows, templateRow{ID: tv.Template.ID, Title: p.Text(tv.Template.Title), Owner: tv.Owner, Version: tv.Template.Version, Retired: tv.Retired})
	}
	var upload *form
	if rq.actor.Role == domain.RoleAdministrator {
		fs := &formSet{p: p, failed: failed}
		f := fs.textarea("yaml", "field.yaml", false)
		f.Hint = p.T("field.yaml.hint")
		file := field{Name: "file", Label: p.T("field.yaml_file"), Kind: "file"}
		upload = fs.new("publish", "", p.T("form.publish"), "form.publish.submit", f, file)
		upload.URL, upload.Multipart = "/templates", true
	}
	p.Data = struct {
		Rows     []templateRow
		Upload   *form
		Problems []templateProblem
		Done     string
	}{rows, upload, problems, doneNote(p, r)}
	return d.render(w, status, "templates", p)
}

// templateShow shows every version of a template with its stages, tasks, approvals and gates;
// the administrators who own it may retire a version.
func (d *Dashboard) templateShow(w http.ResponseWriter, r *http.Request, rq request) error {
	return d.showTemplate(w, r, rq, http.StatusOK, nil)
}

func (d *Dashboard) showTemplate(w http.ResponseWriter, r *http.Request, rq request, status int, failed *formState) error {
	full, err := d.cfg.Engine.Resolve(r.Context(), rq.actor, r.PathValue("id"))
	if err != nil {
		return errTemplate(err)
	}
	p := d.newPage(r, rq, "templates.title", "templates", nil)
	fs := &formSet{p: p, failed: failed}
	owns := rq.actor.Role == domain.RoleAdministrator && (domain.OwnerOf(full) == rq.actor.Tenant || (rq.actor.Installation && domain.OwnerOf(full) == domain.Installation))
	var versions []templateVersion
	for v := 1; ; v++ {
		tv, err := d.cfg.Engine.Template(r.Context(), full, v)
		if errors.Is(err, engine.ErrTemplateNotFound) {
			break
		}
		if err != nil {
			return err
		}
		p.Title = p.Text(tv.Template.Title)
		ver := templateVersion{Version: v, Retired: tv.Retired, Stages: stagesOf(p, tv.Template)}
		if owns && !tv.Retired {
			ver.Retire = fs.new("retire", strconv.Itoa(v), p.T("form.retire")+" "+strconv.Itoa(v), "form.retire.submit", fs.textarea("reason", "field.reason", true))
			ver.Retire.URL = "/templates/" + full + "/versions/" + strconv.Itoa(v) + "/retire"
		}
		versions = append([]templateVersion{ver}, versions...) // newest first
	}
	if len(versions) == 0 {
		return errNotFound
	}
	p.Data = struct {
		ID       string
		Versions []templateVersion
		Done     string
	}{full, versions, doneNote(p, r)}
	return d.render(w, status, "template", p)
}

func stagesOf(p *page, t domain.Template) []templateStage {
	var out []templateStage
	for _, s := range t.Stages {
		st := templateStage{Key: s.Key, Title: p.Text(s.Title), TargetDays: s.TargetDays}
		for _, x := range s.Tasks {
			title := p.Text(x.Title)
			if x.Required {
				title += " " + p.T("field.required")
			}
			st.Tasks = append(st.Tasks, title)
		}
		for _, a := range s.Approvals {
			st.Approvals = append(st.Approvals, p.Text(a.Title))
		}
		for _, b := range s.BackTo {
			if bs, ok := t.Stage(b); ok {
				st.BackTo = append(st.BackTo, p.Text(bs.Title))
			}
		}
		for _, g := range s.Gates {
			st.Gates = append(st.Gates, templateGate{p.Text(g.Title), g.Expr})
		}
		out = append(out, st)
	}
	return out
}

// doneNote is the note after a redirect (?done=publish, retire).
func doneNote(p *page, r *http.Request) string {
	if done := r.URL.Query().Get("done"); done == "publish" || done == "retire" {
		return p.T("done." + done)
	}
	return ""
}

// publishTemplate handles the upload form (POST /templates): the YAML read as the API reads it,
// published by Engine.PublishTemplate; every problem is shown with its line.
func (d *Dashboard) publishTemplate(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if !validCSRF(rq.session, r) || rq.actor.Role != domain.RoleAdministrator {
		return errForbidden
	}
	doc, err := templateDocument(r)
	st := &formState{Command: "publish", Values: map[string]string{"yaml": string(doc)}}
	if err != nil {
		st.Field, st.Error = "file", translate(rq.lang, "templates.file_unreadable")
		return d.showTemplateList(w, r, rq, http.StatusBadRequest, st, nil)
	}
	tpl, err := templates.Parse(doc)
	if err == nil {
		var tv engine.TemplateVersion
		if tv, err = d.cfg.Engine.PublishTemplate(r.Context(), process.Meta{Actor: rq.actor}, tpl); err == nil {
			http.Redirect(w, r, "/templates/"+tv.Template.ID+"?done=publish", http.StatusSeeOther)
			return nil
		}
	}
	var ve *domain.ValidationError
	var problems []templateProblem
	switch {
	case errors.As(err, &ve):
		for _, pr := range ve.Problems {
			problems = append(problems, templateProblem{Line: lineOf(doc, pr.Path), Path: pr.Path, Message: pr.Message})
		}
	case errors.Is(err, templates.ErrSyntax):
		problems = []templateProblem{{Line: lineOfSyntaxError(err.Error()), Message: err.Error()}}
	case errors.Is(err, process.ErrForbidden):
		return errForbidden
	default:
		status, err := d.explain(rq.lang, err, st, 0)
		if err != nil {
			return err
		}
		return d.showTemplateList(w, r, rq, status, st, nil)
	}
	st.Field, st.Error = "yaml", sprintf(translate(rq.lang, "templates.problems"), len(problems))
	return d.showTemplateList(w, r, rq, http.StatusUnprocessableEntity, st, problems)
}

// templateDocument is the uploaded template: the file chosen in the form, else the pasted text.
func templateDocument(r *http.Request) ([]byte, error) {
	if text := r.PostFormValue("yaml"); strings.TrimSpace(text) != "" {
		return []byte(text), nil
	}
	f, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil // nothing given: the parser names the missing template
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// retireTemplate handles a retire form (POST /templates/{id}/versions/{version}/retire).
func (d *Dashboard) retireTemplate(w http.ResponseWriter, r *http.Request, rq request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !validCSRF(rq.session, r) || rq.actor.Role != domain.RoleAdministrator {
		return errForbidden
	}
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return errNotFound
	}
	id := r.PathValue("id")
	st := &formState{Command: "retire", Target: strconv.Itoa(v), Values: map[string]string{"reason": r.PostFormValue("reason")}}
	if _, err := d.cfg.Engine.RetireTemplate(r.Context(), process.Meta{Actor: rq.actor}, id, v, r.PostFormValue("reason")); err != nil {
		if errors.Is(err, engine.ErrTemplateNotFound) {
			return errNotFound
		}
		status, err := d.explain(rq.lang, err, st, 0)
		if err != nil {
			return err
		}
		return d.showTemplate(w, r, rq, status, st)
	}
	http.Redirect(w, r, "/templates/"+id+"?done=retire", http.StatusSeeOther)
	return nil
}
