package web

import (
	"maps"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// The programme pages: the programmes the tenant coordinates or takes part in, and a page per
// programme with its sites' stages and figures (counts only), the aggregate and the shared
// sessions' attendance per site.
func init() {
	pageNames = append(pageNames, "programmes", "programme")
	signedInPages = append(signedInPages,
		signedInPage{"GET /programmes", (*Dashboard).programmes},
		signedInPage{"GET /programmes/{id}", (*Dashboard).programme})
	maps.Copy(messages, programmeMessages)
}

var programmeMessages = map[string][2]string{
	"nav.programmes":          {"Programme", "Programmes"},
	"programmes.title":        {"Programme", "Programmes"},
	"programmes.caption":      {"Programme, die Ihre Organisation koordiniert oder an denen sie teilnimmt", "Programmes your organisation coordinates or takes part in"},
	"programme.coordinator":   {"Koordination", "Coordination"},
	"programme.period":        {"Laufzeit", "Duration"},
	"programme.sites":         {"Standorte", "Sites"},
	"programme.sites.caption": {"Standorte mit Phase und Kennzahlen (ohne personenbezogene Daten)", "Sites with stage and figures (no personal data)"},
	"programme.aggregate":     {"Alle Standorte", "All sites"},
	"programme.bystage":       {"Standorte je Phase", "Sites per stage"},
	"programme.bystage.desc":  {"Anzahl der Standortverfahren in jeder Phase.", "Number of site processes in each stage."},
	"programme.sessions":      {"Gemeinsame Veranstaltungen", "Shared sessions"},
	"programme.sessions.cap":  {"Gemeinsame Veranstaltungen mit Teilnahme je Standort", "Shared sessions with attendance per site"},
	"programme.hidden":        {"nur für den Standort selbst", "only for the site itself"},
	"col.site":                {"Standort", "Site"},
	"col.participants":        {"Beteiligte", "Participants"},
	"col.decisions":           {"Entscheidungen", "Decisions"},
	"col.attendance.shared":   {"Teilnahmen an gemeinsamen Veranstaltungen", "Attendance at shared sessions"},
	"col.duration":            {"Dauer (Min.)", "Duration (min)"},
	"col.held":                {"durchgeführt", "held"},
	"programme.rrule":         {"Wiederholung", "Recurrence"},
	"col.feedback":            {"Rückmeldungen (Mittelwert je Frage)", "Feedback (mean per question)"},
}

func (d *Dashboard) programmes(w http.ResponseWriter, r *http.Request, rq request) error {
	list, err := d.cfg.Engine.Programmes(r.Context(), rq.actor)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "programmes.title", "programmes", list)
	return d.render(w, http.StatusOK, "programmes", p)
}

// programmeData is the programme page's data.
type programmeData struct {
	View   engine.ProgrammeView
	Stages barChart
	Sites  []siteRow
	// Progress is the average progress of all sites' measures, in whole percent.
	Progress int
	// Indicators are the shared indicators, drawn like a process's.
	Indicators []indicatorRow
	// Report is whether the reader may read the programme's audit report (the page links it).
	Report bool
}

type siteRow struct {
	engine.SiteFigures
	StageTitle string
	Progress   progressBar
}

func (d *Dashboard) programme(w http.ResponseWriter, r *http.Request, rq request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	v, err := d.cfg.Engine.ProgrammeView(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "programmes.title", "programmes", nil)
	p.Title = v.Title
	prog, err := d.cfg.Engine.LoadProgramme(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	data := programmeData{View: v, Progress: int(v.Aggregate.AverageProgress + 0.5), Report: prog.ReadsReport(rq.actor)}
	var labels []string
	var counts []int
	seen := map[string]bool{}
	for _, s := range v.Sites {
		row := siteRow{SiteFigures: s, StageTitle: p.Text(s.StageTitle)}
		if row.StageTitle == "" {
			row.StageTitle = s.Stage
		}
		if s.Figures != nil {
			row.Progress = newProgressBar(int(s.Figures.AverageProgress))
		}
		data.Sites = append(data.Sites, row)
		if !seen[row.StageTitle] {
			seen[row.StageTitle] = true
			labels = append(labels, row.StageTitle)
			counts = append(counts, 0)
		}
		for i, l := range labels {
			if l == row.StageTitle {
				counts[i]++
			}
		}
	}
	for _, ind := range v.Indicators {
		var values []domain.Measurement
		for _, x := range ind.Values {
			values = append(values, domain.Measurement{Value: x.Value, Date: x.Date, Source: x.Source + " (" + x.Tenant + ")"})
		}
		data.Indicators = append(data.Indicators, newIndicatorRow(p, ind.Indicator, values, ind.Latest))
	}
	data.Stages = newBarChart(p.T("programme.bystage"), p.T("programme.bystage.desc"), labels, counts)
	p.Data = data
	return d.render(w, http.StatusOK, "programme", p)
}

// Itoa formats a whole number for the programme page.
func (p *page) Itoa(n int64) string { return strconv.FormatInt(n, 10) }
