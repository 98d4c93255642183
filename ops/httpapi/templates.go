package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *API) meta(r *http.Request, actor process.Actor) (process.Meta, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 || strings.ContainsFunc(key, ControlOrBidi) {
		p := problem(http.StatusBadRequest, "bad_header", "Idempotency-Key: höchstens 200 druckbare Zeichen / at most 200 printable characters")
		p.Field = "Idempotency-Key"
		return process.Meta{}, p
	}
	return process.Meta{Actor: actor, CommandID: key}, nil
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	list, err := a.cfg.Engine.TemplatesFor(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) showTemplate(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	version := 0
	if v := r.PathValue("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			p := problem(http.StatusBadRequest, "bad_path", fmt.Sprintf("version %q: eine positive ganze Zahl / a positive whole number", v))
			p.Field = "version"
			return p
		}
		version = n
	}
	tv, err := a.cfg.Engine.TemplateFor(r.Context(), actor, r.PathValue("id"), version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tv)
	return nil
}

var yamlTypes = map[string]bool{"application/yaml": true, "application/x-yaml": true, "text/yaml": true, "text/x-yaml": true, "application/json": true}

func (a *API) publishTemplate(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	media := strings.TrimSpace(strings.ToLower(strings.SplitN(r.Header.Get("Content-Type"), ";", 2)[0]))
	if !yamlTypes[media] {
		return problem(http.StatusUnsupportedMediaType, "unsupported_media_type", "Vorlagen als application/yaml oder application/json / templates as application/yaml or application/json")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return problem(http.StatusRequestEntityTooLarge, "body_too_large", "Die Vorlage ist zu groß / the template is too large")
	}
	tpl, err := templates.Parse(body)
	if err != nil {
		return err
	}
	if err := checkDecoded(tpl); err != nil {
		return err
	}
	m, err := a.meta(r, actor)
	if err != nil {
		return err
	}
	tv, err := a.cfg.Engine.PublishTemplate(r.Context(), m, tpl)
	if err != nil {
		return templates.Locate(body, err)
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/templates/%s/versions/%d", tv.Template.ID, tv.Template.Version))
	writeJSON(w, http.StatusCreated, tv)
	return nil
}

func (a *API) retireTemplate(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		p := problem(http.StatusBadRequest, "bad_path", "version: eine positive ganze Zahl / a positive whole number")
		p.Field = "version"
		return p
	}
	m, err := a.meta(r, actor)
	if err != nil {
		return err
	}
	tv, err := a.cfg.Engine.RetireTemplate(r.Context(), m, r.PathValue("id"), version, body.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tv)
	return nil
}

// deriveTemplate copies an installation template version into the administrator's tenant.
func (a *API) deriveTemplate(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	d := engine.DeriveTemplate{From: r.PathValue("id")}
	if r.ContentLength != 0 { // the body is optional: {"version": 0, "id": ""}
		if err := decodeJSON(r, &d); err != nil {
			return err
		}
	}
	m, err := a.meta(r, actor)
	if err != nil {
		return err
	}
	tv, err := a.cfg.Engine.DeriveTemplate(r.Context(), m, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/templates/%s/versions/%d", tv.Template.ID, tv.Template.Version))
	writeJSON(w, http.StatusCreated, tv)
	return nil
}
