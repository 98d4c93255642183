package httpapi

import (
	"net/http"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/certificate"
)

// A participant's attendance record and certificates of attendance: for roles that see personal
// data.
func init() {
	routes = append(routes,
		route{"GET", "/api/v1/processes/{id}/participants/{participant}/attendance", false, (*API).attendance},
		route{"GET", "/api/v1/processes/{id}/participants/{participant}/certificates/{certificate}", false, (*API).certificate},
	)
}

type attendedView struct {
	Session         string    `json:"session"`
	Title           string    `json:"title"`
	Format          string    `json:"format"`
	Date            time.Time `json:"date"`
	DurationMinutes int       `json:"duration_minutes,omitempty"`
}

type certificateStatus struct {
	Key      string        `json:"key"`
	Title    template.Text `json:"title"`
	Attended int           `json:"attended"`
	Required int           `json:"required"`
	Held     int           `json:"held"`
	Eligible bool          `json:"eligible"`
}

type attendanceView struct {
	Participant  string              `json:"participant"`
	Name         string              `json:"name"`
	Sessions     []attendedView      `json:"sessions"`
	Certificates []certificateStatus `json:"certificates"`
}

// participantOf loads the process and its template for a reader who sees personal data and
// finds the participant named in the path.
func (a *API) participantOf(r *http.Request, actor process.Actor) (*process.Process, template.Template, process.Participant, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, template.Template{}, process.Participant{}, err
	}
	p, err := a.cfg.Engine.Load(r.Context(), actor, id)
	if err != nil {
		return nil, template.Template{}, process.Participant{}, err
	}
	if !seesPersonalData(actor) {
		return nil, template.Template{}, process.Participant{}, &process.ForbiddenError{Role: actor.Role, Action: "read a participant's attendance"}
	}
	x, ok := p.Participants[r.PathValue("participant")]
	if !ok {
		return nil, template.Template{}, process.Participant{}, process.ErrNotFound
	}
	tv, err := a.cfg.Engine.Template(r.Context(), p.TemplateID, p.TemplateVersion)
	return p, tv.Template, x, err
}

func (a *API) attendance(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	p, tpl, x, err := a.participantOf(r, actor)
	if err != nil {
		return err
	}
	v := attendanceView{Participant: x.ID, Name: a.reveal(r.Context(), x.Name), Sessions: []attendedView{}, Certificates: []certificateStatus{}}
	for _, s := range p.Attended(x.ID, "") {
		v.Sessions = append(v.Sessions, attendedView{Session: s.Session, Title: s.Title, Format: s.Format, Date: s.Date, DurationMinutes: s.DurationMinutes})
	}
	for _, c := range tpl.Certificates {
		rec, err := p.Certificate(tpl, c.Key, x.ID)
		v.Certificates = append(v.Certificates, certificateStatus{Key: c.Key, Title: c.Title, Attended: len(rec.Attended), Required: c.MinAttended,
			Held: rec.Held, Eligible: err == nil})
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// certificate answers the printable certificate (text/html), refused (422) without enough
// sessions attended and for an erased person.
func (a *API) certificate(w http.ResponseWriter, r *http.Request, actor process.Actor) error {
	p, tpl, x, err := a.participantOf(r, actor)
	if err != nil {
		return err
	}
	rec, err := p.Certificate(tpl, r.PathValue("certificate"), x.ID)
	if err != nil {
		return err
	}
	if _, erased, err := a.cfg.Engine.Erasure(r.Context(), x.Person); err != nil {
		return err
	} else if erased {
		return process.Refuse("person_erased", "Die Person wurde gelöscht (Art. 17 DSGVO) / the person was erased (Art. 17 GDPR)")
	}
	page, err := certificate.Render(certificate.Of(p, rec, a.reveal(r.Context(), x.Name), a.cfg.Clock()))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(page)
	return err
}
