// Package certificate renders a certificate of attendance (Teilnahmebescheinigung) for a series
// of sessions as a printable HTML page, e.g. for an administration that approves its staff's
// leave for a training series:
//
//	rec, err := p.Certificate(tpl, "reihe", "anna") // refused without enough sessions attended
//	html, err := certificate.Render(certificate.Input{Record: rec, Name: "Anna Beispiel", ...})
//
// The page holds the participant's name, so only roles that see personal data get it.
package certificate

import (
	"bytes"
	_ "embed"
	"html/template"
	"time"

	"github.com/civicflow/civicflow/domain/process"
)

//go:embed certificate.html
var page string

var tmpl = template.Must(template.New("certificate").Parse(page))

// Of is the input of a process's certificate for a participant, identified as
// "<process>/<participant>/<certificate>".
func Of(p *process.Process, rec process.CertificateRecord, name string, issued time.Time) Input {
	return Input{Record: rec, Name: name, Process: p.Title, Tenant: p.Tenant, Issued: issued,
		ID: p.ID.String() + "/" + rec.Participant.ID + "/" + rec.Certificate.Key}
}

// Input is what a certificate states besides the record.
type Input struct {
	// Record is the participant's attendance of the series (process.Certificate).
	Record process.CertificateRecord
	// Name is the participant's name, opened from its seal.
	Name string
	// Process is the process's title; Tenant its municipality or county.
	Process, Tenant string
	// Issued is the date of issue.
	Issued time.Time
	// ID identifies the certificate for checking, e.g. "<process>/<participant>/<certificate>".
	ID string
}

// Render returns the certificate as a complete HTML page in German with English in second place.
func Render(in Input) ([]byte, error) {
	type session struct {
		Date, Title string
		Minutes     int
	}
	data := struct {
		Input
		Title          string
		TitleEn        string
		Issued         string
		Sessions       []session
		Attended, Held int
		Required       int
		Minutes        int
	}{Input: in, Title: in.Record.Certificate.Title.De, TitleEn: in.Record.Certificate.Title.En, Issued: in.Issued.Format("02.01.2006"),
		Attended: len(in.Record.Attended), Held: in.Record.Held, Required: in.Record.Certificate.MinAttended}
	for _, s := range in.Record.Attended {
		data.Sessions = append(data.Sessions, session{Date: s.Date.Format("02.01.2006"), Title: s.Title, Minutes: s.DurationMinutes})
		data.Minutes += s.DurationMinutes
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
