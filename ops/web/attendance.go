package web

import (
	"maps"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/certificate"
)

// A participant's attendance record for the administration (leave approval, certificates): the
// held sessions they attended and, per certificate of the template, whether it can be issued,
// with a link to the printable certificate. Only roles that see personal data.
func init() {
	pageNames = append(pageNames, "attendance")
	signedInPages = append(signedInPages,
		signedInPage{"GET /processes/{id}/participants/{participant}/attendance", (*Dashboard).attendance},
		signedInPage{"GET /processes/{id}/participants/{participant}/certificates/{certificate}", (*Dashboard).certificate},
	)
	maps.Copy(messages, attendanceMessages)
}

var attendanceMessages = map[string][2]string{
	"attendance.title":     {"Teilnahmenachweis", "Attendance record"},
	"attendance.link":      {"Teilnahmenachweis", "Attendance record"},
	"attendance.sessions":  {"Besuchte Termine", "Sessions attended"},
	"attendance.certs":     {"Teilnahmebescheinigungen", "Certificates of attendance"},
	"attendance.certs.cap": {"Bescheinigungen der Vorlage: besucht, verlangt, durchgeführt", "The template's certificates: attended, required, held"},
	"attendance.issue":     {"Bescheinigung drucken", "Print the certificate"},
	"attendance.missing":   {"noch nicht genug Termine", "not enough sessions yet"},
	"attendance.erased":    {"Person gelöscht: keine Bescheinigung", "person erased: no certificate"},
	"col.attended":         {"besucht", "attended"},
	"col.required":         {"verlangt", "required"},
}

// attendanceData is the attendance page's data.
type attendanceData struct {
	Process, ProcessTitle, Participant, Name string
	Erased                                   bool
	Sessions                                 []attendedRow
	Certificates                             []certificateRow
}

type attendedRow struct{ Date, Title, Format, Minutes string }

type certificateRow struct {
	Key, Title               string
	Attended, Required, Held int
	Eligible                 bool
}

// participantPage loads the process, the participant and the template for a reader who sees
// personal data (others 403; another tenant's process or an unknown participant 404).
func (d *Dashboard) participantPage(r *http.Request, rq request) (*process.Process, domain.Template, process.Participant, bool, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return nil, domain.Template{}, process.Participant{}, false, errNotFound
	}
	pr, err := d.cfg.Engine.Load(r.Context(), rq.actor, id)
	if err != nil {
		return nil, domain.Template{}, process.Participant{}, false, err
	}
	if !seesPersonalData(rq.actor) {
		return nil, domain.Template{}, process.Participant{}, false, errForbidden
	}
	x, ok := pr.Participants[r.PathValue("participant")]
	if !ok {
		return nil, domain.Template{}, process.Participant{}, false, errNotFound
	}
	tv, err := d.cfg.Engine.Template(r.Context(), pr.TemplateID, pr.TemplateVersion)
	if err != nil {
		return nil, domain.Template{}, process.Participant{}, false, err
	}
	_, erased, err := d.cfg.Engine.Erasure(r.Context(), x.Person)
	return pr, tv.Template, x, erased, err
}

func (d *Dashboard) attendance(w http.ResponseWriter, r *http.Request, rq request) error {
	pr, tpl, x, erased, err := d.participantPage(r, rq)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "attendance.title", "overview", nil)
	data := attendanceData{Process: pr.ID.String(), ProcessTitle: pr.Title, Participant: x.ID, Name: d.cfg.Engine.Reveal(r.Context(), x.Name), Erased: erased}
	p.Title = p.T("attendance.title") + ": " + data.Name
	for _, s := range pr.Attended(x.ID, "") {
		row := attendedRow{Date: p.Date(s.Date), Title: s.Title, Format: p.Vocab(domain.Formats[s.Format]), Minutes: "—"}
		if s.DurationMinutes > 0 {
			row.Minutes = strconv.Itoa(s.DurationMinutes)
		}
		data.Sessions = append(data.Sessions, row)
	}
	for _, c := range tpl.Certificates {
		rec, err := pr.Certificate(tpl, c.Key, x.ID)
		data.Certificates = append(data.Certificates, certificateRow{Key: c.Key, Title: p.Text(c.Title), Attended: len(rec.Attended),
			Required: c.MinAttended, Held: rec.Held, Eligible: err == nil && !erased})
	}
	p.Data = data
	return d.render(w, http.StatusOK, "attendance", p)
}

// certificate serves the printable certificate of attendance; without enough sessions, or for an
// erased person, there is none (404).
func (d *Dashboard) certificate(w http.ResponseWriter, r *http.Request, rq request) error {
	pr, tpl, x, erased, err := d.participantPage(r, rq)
	if err != nil {
		return err
	}
	rec, err := pr.Certificate(tpl, r.PathValue("certificate"), x.ID)
	if err != nil || erased {
		return errNotFound
	}
	page, err := certificate.Render(certificate.Of(pr, rec, d.cfg.Engine.Reveal(r.Context(), x.Name), d.cfg.Now()))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(page)
	return err
}
