package opendata

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVHeader is the first line of the CSV export: one row per figure of a process, in long form,
// so that a spreadsheet or an open-data portal can filter and pivot it.
var CSVHeader = []string{"process_id", "process_title", "template", "template_version", "status", "stage",
	"opened_at", "closed_at", "figure", "key", "date", "value"}

// The figures of the CSV export (its column figure).
const (
	FigureStageEntered       = "stage_entered"       // key: stage, date: entered, value: the visit's number (1, 2, …)
	FigureStageLeft          = "stage_left"          // key: stage, date: left, value: the visit's number
	FigureParticipants       = "participants"        // key: group, value: active participants
	FigureSessionsScheduled  = "sessions_scheduled"  // key: format, value: count
	FigureSessionsHeld       = "sessions_held"       // key: format, value: count
	FigureSessionAttendance  = "session_attendance"  // key: format, value: total attendance
	FigureContributions      = "contributions"       // date: day, value: count
	FigureContributionsLate  = "contributions_late"  // date: day, value: count received late
	FigureMeasureProgress    = "measure_progress"    // key: measure, date: due, value: percent
	FigureMeasureStatus      = "measure_status"      // key: measure, value: status
	FigureMeasureTitle       = "measure_title"       // key: measure, value: its title
	FigureMeasuresProgress   = "measures_progress"   // value: mean progress of the measures in percent
	FigureContributionsTotal = "contributions_total" // value: count
)

// WriteCSV writes the dataset's figures as CSV (RFC 4180, UTF-8, comma-separated, a header line).
// The metadata is not repeated in it: the JSON export and its distributions carry it.
func (d Dataset) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, p := range d.Processes {
		closed := ""
		if p.ClosedAt != nil {
			closed = stamp(*p.ClosedAt)
		}
		row := func(figure, key, date, value string) error {
			return cw.Write([]string{p.ID, p.Title, p.Template, strconv.Itoa(p.TemplateVersion), string(p.Status), p.Stage,
				stamp(p.OpenedAt), closed, figure, key, date, value})
		}
		if err := p.writeRows(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeRows writes the rows of one process.
func (p Process) writeRows(row func(figure, key, date, value string) error) error {
	n := strconv.Itoa
	var rows [][4]string
	for i, s := range p.Stages {
		rows = append(rows, [4]string{FigureStageEntered, s.Stage, stamp(s.Entered), n(i + 1)})
		if s.Left != nil {
			rows = append(rows, [4]string{FigureStageLeft, s.Stage, stamp(*s.Left), n(i + 1)})
		}
	}
	for _, g := range p.Participants {
		rows = append(rows, [4]string{FigureParticipants, g.Group, "", n(g.Active)})
	}
	for _, f := range p.Sessions {
		rows = append(rows, [4]string{FigureSessionsScheduled, f.Format, "", n(f.Scheduled)},
			[4]string{FigureSessionsHeld, f.Format, "", n(f.Held)}, [4]string{FigureSessionAttendance, f.Format, "", n(f.Attendance)})
	}
	for _, c := range p.Contributions {
		rows = append(rows, [4]string{FigureContributions, "", c.Day, n(c.Contributions)}, [4]string{FigureContributionsLate, "", c.Day, n(c.Late)})
	}
	rows = append(rows, [4]string{FigureContributionsTotal, "", "", n(p.ContributionsTotal)})
	for _, m := range p.Measures {
		due := ""
		if m.Due != nil {
			due = stamp(*m.Due)
		}
		rows = append(rows, [4]string{FigureMeasureTitle, m.ID, due, m.Title}, [4]string{FigureMeasureProgress, m.ID, due, n(m.Progress)},
			[4]string{FigureMeasureStatus, m.ID, due, m.Status})
	}
	rows = append(rows, [4]string{FigureMeasuresProgress, "", "", n(p.MeasuresProgress)})
	for _, r := range rows {
		if err := row(r[0], r[1], r[2], r[3]); err != nil {
			return err
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
