package report

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"
)

// WriteJSON writes the report in its JSON form, the one Verify and ReadJSON take.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("report: not a report in JSON: %w", err)
	}
	return &r, nil
}

// CSVHeader is the header row of the CSV form: one row per event of the timeline.
var CSVHeader = []string{"version", "recorded_at", "actor", "type", "de", "en", "position", "hash"}

// WriteCSV writes the timeline, one row per event.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVHeader)
	for _, e := range r.Timeline {
		_ = cw.Write([]string{strconv.FormatInt(e.Version, 10), e.RecordedAt.Format(time.RFC3339Nano), e.Actor, e.Type, e.De, e.En, e.Position, e.Hash})
	}
	cw.Flush()
	return cw.Error()
}

//go:embed report.html programme.html style.html
var files embed.FS

var funcs = template.FuncMap{
	"date": func(t time.Time) template.HTML { return timeTag(t, "2006-01-02 15:04 UTC") },
	"day":  func(t time.Time) template.HTML { return timeTag(t, time.DateOnly) },
	"dayp": func(t *time.Time) template.HTML {
		if t == nil {
			return "—"
		}
		return timeTag(*t, time.DateOnly)
	},
	"outcome": outcomeText,
}

// page and programmePage share the style sheet of style.html.
var page = template.Must(template.New("report.html").Funcs(funcs).ParseFS(files, "report.html", "style.html"))

var programmePage = template.Must(template.New("programme.html").Funcs(funcs).ParseFS(files, "programme.html", "style.html"))

// timeTag is t in UTC as a <time> element in layout (the style sheet keeps it on one line).
func timeTag(t time.Time, layout string) template.HTML {
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `">` + t.Format(layout) + `</time>`)
}

// outcomeText is an outcome in German and English.
func outcomeText(o string) string {
	switch o {
	case Met:
		return "eingehalten / met"
	case Missed:
		return "verfehlt / missed"
	case Running:
		return "läuft / running"
	case Overdue:
		return "überfällig / overdue"
	}
	return "ohne Frist / no target"
}

// WriteHTML writes the report as one self-contained HTML page, readable and printable: inline
// CSS (with print rules), no scripts, no external resources, headings in German and English.
func (r *Report) WriteHTML(w io.Writer) error {
	return page.Execute(w, r)
}

// WriteJSON writes the programme's report in its JSON form, the one VerifyProgramme checks.
func (r *ProgrammeReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadProgrammeJSON reads a programme's report written by ProgrammeReport.WriteJSON.
func ReadProgrammeJSON(rd io.Reader) (*ProgrammeReport, error) {
	var r ProgrammeReport
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("report: not a programme report in JSON: %w", err)
	}
	return &r, nil
}

// WriteHTML writes the programme's report as a printable page (A4), German and English.
func (r *ProgrammeReport) WriteHTML(w io.Writer) error {
	return programmePage.Execute(w, r)
}
