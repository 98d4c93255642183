// Package opendata is the open-data read model: per tenant, the aggregate, non-personal figures of
// every process an administrator marked public (process.open_data_set), with DCAT-AP.de metadata,
// as JSON (validated by Schema) or CSV. It joins two read models: the process list (template,
// status, stage, stage dates, measures and the public mark, all from the process state, which a
// process list snapshot keeps across restarts) and the participation read model (participants
// per stakeholder group, sessions per format, contributions per day). It never carries a name,
// an e-mail address, a person or participant ID, a user, or the text of a contribution, a
// session's title or place, or a measure's owner.
//
//	ds, err := opendata.Build(ctx, list, readDB, opendata.Options{Tenant: "leipzig", BaseURL: "https://beteiligung.example"})
//	if errors.Is(err, opendata.ErrUnknownTenant) { … 404 … }
//	json.NewEncoder(w).Encode(ds) // or ds.WriteCSV(w)
package opendata

import (
	"cmp"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/processlist"
)

// Schema is the JSON Schema (draft 2020-12) of a Dataset in JSON, served at
// /api/opendata.schema.json.
//
//go:embed opendata.schema.json
var Schema []byte

// SchemaID is the $id of Schema.
const SchemaID = "https://civicflow.example/schemas/opendata.schema.json"

// LicenseURI is the licence of every export: Datenlizenz Deutschland – Namensnennung – Version
// 2.0 (dl-de/by-2-0), by its URI in the DCAT-AP.de licence vocabulary.
const LicenseURI = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"

// ErrUnknownTenant means the installation has no process of the tenant at all.
var ErrUnknownTenant = errors.New("opendata: unknown tenant")

// Options selects and describes one export.
type Options struct {
	// Tenant is whose public processes are exported. Required.
	Tenant string
	// BaseURL is the server's address as the client reached it (e.g. "https://beteiligung.example"),
	// which the distributions' access URLs start with. Default: "" (relative URLs).
	BaseURL string
}

// Dataset is one tenant's open data: DCAT-AP.de metadata (JSON-LD keys) and one record per public
// process.
type Dataset struct {
	Context     map[string]string `json:"@context"`
	Type        string            `json:"@type"`
	Identifier  string            `json:"dct:identifier"`
	Title       string            `json:"dct:title"`
	Description string            `json:"dct:description"`
	Publisher   Agent             `json:"dct:publisher"`
	License     string            `json:"dct:license"`
	// Attribution is the attribution text the licence asks for (dcatde:licenseAttributionByText).
	Attribution string `json:"dcatde:licenseAttributionByText"`
	Language    string `json:"dct:language"`
	Theme       string `json:"dcat:theme"`
	// Temporal is the time the figures cover: from the first process opened to Modified; absent
	// while no process is public.
	Temporal *Period `json:"dct:temporal,omitempty"`
	// Modified is the last change the export knows of: a process opened, changed stage, closed,
	// was made public or private, or had a contribution recorded; absent while nothing was ever
	// public.
	Modified      *time.Time     `json:"dct:modified,omitempty"`
	Distributions []Distribution `json:"dcat:distribution"`
	// Processes are the public processes, oldest first.
	Processes []Process `json:"processes"`
}

// Agent is the publisher.
type Agent struct {
	Type string `json:"@type"`
	Name string `json:"foaf:name"`
}

// Period is a dct:PeriodOfTime.
type Period struct {
	Type  string    `json:"@type"`
	Start time.Time `json:"dcat:startDate"`
	End   time.Time `json:"dcat:endDate"`
}

// Distribution is one format of the dataset.
type Distribution struct {
	Type      string `json:"@type"`
	Title     string `json:"dct:title"`
	AccessURL string `json:"dcat:accessURL"`
	MediaType string `json:"dcat:mediaType"`
	Format    string `json:"dct:format"`
	License   string `json:"dct:license"`
}

// Process is the figures of one public process.
type Process struct {
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	Programme       string         `json:"programme,omitempty"`
	Template        string         `json:"template"`
	TemplateVersion int            `json:"template_version"`
	Status          process.Status `json:"status"`
	Stage           string         `json:"stage"`
	OpenedAt        time.Time      `json:"opened_at"`
	StageEnteredAt  time.Time      `json:"stage_entered_at"`
	ClosedAt        *time.Time     `json:"closed_at,omitempty"`
	// Stages are the stage visits in order: stage key, entered, left (absent while in it).
	Stages []Stage `json:"stages"`
	// Participants are the active participants per stakeholder group (counts).
	Participants []participation.Group `json:"participants"`
	// Sessions are the sessions per format: scheduled, held, total attendance.
	Sessions []participation.Format `json:"sessions"`
	// Contributions are the contributions per day (UTC), and the late ones among them.
	Contributions      []participation.Day `json:"contributions"`
	ContributionsTotal int                 `json:"contributions_total"`
	// Measures are the measures with their status and progress, and MeasuresProgress their mean
	// progress in percent (0 without measures).
	Measures         []Measure `json:"measures"`
	MeasuresProgress int       `json:"measures_progress"`
}

// Stage is one stay in a stage.
type Stage struct {
	Stage   string     `json:"stage"`
	Entered time.Time  `json:"entered"`
	Left    *time.Time `json:"left,omitempty"`
}

// Measure is one measure: its key, title, due date, status and progress (never its owner).
type Measure struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Due      *time.Time `json:"due,omitempty"`
	Status   string     `json:"status"`
	Progress int        `json:"progress"`
}

// Build returns the open data of o.Tenant: every process of the list marked public, with its
// participation figures read through db (a query-only pool on the SQL read models). It returns
// ErrUnknownTenant when the list holds no process of the tenant, and runner.ErrNotBuilt while the
// participation read model is not built.
func Build(ctx context.Context, list *processlist.List, db *sql.DB, o Options) (Dataset, error) {
	if o.Tenant == "" {
		return Dataset{}, ErrUnknownTenant
	}
	states, known := list.Select(o.Tenant, func(p *process.Process) bool { return p.Public || !p.PublicChangedAt.IsZero() })
	if !known {
		return Dataset{}, ErrUnknownTenant
	}
	ds := newDataset(o)
	var modified time.Time
	later := func(t time.Time) {
		if t.After(modified) {
			modified = t
		}
	}
	for _, p := range states {
		later(p.PublicChangedAt) // a process made private changed the dataset too
		if !p.Public {
			continue
		}
		part, err := participation.Summary(ctx, db, participation.Query{Tenant: o.Tenant, Process: p.ID.String()})
		if err != nil {
			return Dataset{}, fmt.Errorf("opendata: %w", err)
		}
		rec := figures(p, part)
		for _, t := range rec.dates() {
			later(t)
		}
		ds.Processes = append(ds.Processes, rec)
	}
	if !modified.IsZero() {
		ds.Modified = &modified
	}
	if len(ds.Processes) > 0 {
		ds.Temporal = &Period{Type: "dct:PeriodOfTime", Start: ds.Processes[0].OpenedAt, End: modified}
		for _, p := range ds.Processes {
			if p.OpenedAt.Before(ds.Temporal.Start) {
				ds.Temporal.Start = p.OpenedAt
			}
		}
	}
	return ds, nil
}

// figures are the figures of one process from its state and its participation.
func figures(p *process.Process, part participation.Result) Process {
	rec := Process{ID: p.ID.String(), Title: p.Title, Programme: p.Programme, Template: p.TemplateID,
		TemplateVersion: p.TemplateVersion, Status: p.Status, Stage: p.Stage, OpenedAt: p.OpenedAt.UTC(),
		StageEnteredAt: p.StageEnteredAt.UTC(), Stages: []Stage{}, Participants: part.Groups, Sessions: part.Sessions,
		Contributions: part.Contributions, Measures: []Measure{}}
	if !p.ClosedAt.IsZero() {
		at := p.ClosedAt.UTC()
		rec.ClosedAt = &at
	}
	for _, v := range p.Timeline {
		s := Stage{Stage: v.Stage, Entered: v.Entered.UTC()}
		if !v.Left.IsZero() {
			left := v.Left.UTC()
			s.Left = &left
		}
		rec.Stages = append(rec.Stages, s)
	}
	for _, d := range part.Contributions {
		rec.ContributionsTotal += d.Contributions
	}
	total := 0
	for _, m := range p.Measures {
		x := Measure{ID: m.Measure, Title: m.Title, Status: m.Status, Progress: m.Progress}
		if !m.Due.IsZero() {
			due := m.Due.UTC()
			x.Due = &due
		}
		rec.Measures = append(rec.Measures, x)
		total += m.Progress
	}
	slices.SortFunc(rec.Measures, func(a, b Measure) int { return cmp.Compare(a.ID, b.ID) })
	if n := len(rec.Measures); n > 0 {
		rec.MeasuresProgress = (total + n/2) / n
	}
	return rec
}

// dates are the instants the record knows, for the dataset's modified date.
func (p Process) dates() []time.Time {
	out := []time.Time{p.OpenedAt, p.StageEnteredAt}
	if p.ClosedAt != nil {
		out = append(out, *p.ClosedAt)
	}
	for _, s := range p.Stages {
		if s.Left != nil {
			out = append(out, *s.Left)
		}
	}
	if n := len(p.Contributions); n > 0 {
		if day, err := time.Parse(time.DateOnly, p.Contributions[n-1].Day); err == nil {
			out = append(out, day)
		}
	}
	return out
}

// newDataset is the metadata of o's export, without processes.
func newDataset(o Options) Dataset {
	base := o.BaseURL + "/api/v1/opendata/" + url.PathEscape(o.Tenant)
	dist := func(title, query, media, format string) Distribution {
		return Distribution{Type: "dcat:Distribution", Title: title, AccessURL: base + query, MediaType: media,
			Format: "http://publications.europa.eu/resource/authority/file-type/" + format, License: LicenseURI}
	}
	return Dataset{
		Context: map[string]string{
			"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
			"dcatde": "http://dcat-ap.de/def/dcatde/", "xsd": "http://www.w3.org/2001/XMLSchema#",
		},
		Type:       "dcat:Dataset",
		Identifier: "civicflow:opendata:" + o.Tenant,
		Title:      "Bürgerbeteiligung " + o.Tenant + ": Kennzahlen der Beteiligungsverfahren / Citizen participation " + o.Tenant + ": figures of the participation processes",
		Description: "Zusammengefasste, nicht personenbezogene Kennzahlen der Beteiligungsverfahren, die die Verwaltung von " + o.Tenant +
			" freigegeben hat: Vorlage, Phase und Phasendaten, Teilnehmende je Beteiligtengruppe, Veranstaltungen je Format, Beiträge je Tag, Maßnahmen und ihr Fortschritt. " +
			"Ohne Namen, E-Mail-Adressen, Personen-IDs und Beitragstexte. / Aggregate, non-personal figures of the participation processes the administration of " + o.Tenant +
			" made public: template, stage and stage dates, participants per stakeholder group, sessions per format, contributions per day, measures and their progress. " +
			"Without names, e-mail addresses, person IDs or contribution texts.",
		Publisher:     Agent{Type: "foaf:Agent", Name: o.Tenant},
		License:       LicenseURI,
		Attribution:   o.Tenant + " (civicflow)",
		Language:      "http://publications.europa.eu/resource/authority/language/DEU",
		Theme:         "http://publications.europa.eu/resource/authority/data-theme/GOVE",
		Distributions: []Distribution{dist("JSON", "", "application/json", "JSON"), dist("CSV", "?format=csv", "text/csv", "CSV")},
		Processes:     []Process{},
	}
}
