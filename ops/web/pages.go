package web

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

type overviewRow struct {
	ID, Title, Tenant, Template, Stage, Status string
	Days, Target                               int
	Overdue                                    bool
}

type templateLink struct{ ID, Title string }

type overviewData struct {
	Rows       []overviewRow
	ShowTenant bool
	Chart      barChart
	Templates  []templateLink
}

// overview lists the processes of the tenant with stage, status, days in stage and an overdue
// marker, and charts the running processes per stage.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, rq request) error {
	list, err := d.summaries(r.Context(), rq.actor, "")
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "overview.title", "overview", nil)
	data := overviewData{ShowTenant: rq.actor.Installation}
	now := d.cfg.Now()
	type stageCount struct {
		label string
		index int
		n     int
	}
	counts := map[string]*stageCount{}
	seen := map[string]bool{}
	for _, s := range list {
		stage, idx, tplTitle := d.stageOf(r.Context(), s.Template, s.TemplateVersion, s.Stage)
		row := overviewRow{ID: s.ID.String(), Title: s.Title, Tenant: s.Tenant, Template: p.Text(tplTitle),
			Stage: p.Text(stage.Title), Status: p.T("status." + string(s.Status)), Days: days(s.StageEnteredAt, now), Target: stage.TargetDays}
		row.Overdue = s.Status == process.StatusActive && stage.TargetDays > 0 && row.Days > stage.TargetDays
		data.Rows = append(data.Rows, row)
		if !seen[s.Template] {
			seen[s.Template] = true
			data.Templates = append(data.Templates, templateLink{ID: s.Template, Title: p.Text(tplTitle)})
		}
		if open(s.Status) {
			c := counts[row.Stage]
			if c == nil {
				c = &stageCount{label: row.Stage, index: idx}
				counts[row.Stage] = c
			}
			c.n++
		}
	}
	ordered := make([]*stageCount, 0, len(counts))
	for _, c := range counts {
		ordered = append(ordered, c)
	}
	sort.Slice(ordered, func(i, j int) bool {
		if ordered[i].index != ordered[j].index {
			return ordered[i].index < ordered[j].index
		}
		return ordered[i].label < ordered[j].label
	})
	labels, ns := make([]string, len(ordered)), make([]int, len(ordered))
	for i, c := range ordered {
		labels[i], ns[i] = c.label, c.n
	}
	data.Chart = newBarChart(p.T("overview.bystage"), p.T("overview.bystage.desc"), labels, ns)
	sort.Slice(data.Templates, func(i, j int) bool { return data.Templates[i].Title < data.Templates[j].Title })
	p.Data = data
	return d.render(w, http.StatusOK, "overview", p)
}

type measureRow struct {
	ProcessID, Process, Title, Owner, Status, StatusKey string
	Bar                                                 progressBar
}

// measures is the implementation tracker: every measure of the tenant's processes.
func (d *Dashboard) measures(w http.ResponseWriter, r *http.Request, rq request) error {
	ps, err := d.processes(r.Context(), rq.actor, "")
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "measures.title", "measures", nil)
	var rows []measureRow
	for _, pr := range ps {
		for _, m := range sortedMeasures(pr) {
			row := measureRow{ProcessID: pr.ID.String(), Process: pr.Title, Title: m.Title, Status: p.T("measure." + m.Status),
				StatusKey: m.Status, Bar: newProgressBar(m.Progress)}
			if seesPersonalData(rq.actor) {
				row.Owner = m.Owner
			}
			rows = append(rows, row)
		}
	}
	p.Data = struct {
		Rows      []measureRow
		ShowOwner bool
	}{rows, seesPersonalData(rq.actor)}
	return d.render(w, http.StatusOK, "measures", p)
}

func sortedMeasures(p *process.Process) []process.Measure {
	out := make([]process.Measure, 0, len(p.Measures))
	for _, m := range p.Measures {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Measure < out[j].Measure })
	return out
}

type statRow struct {
	Stage                   string
	Open, Visits            int
	Median, P90, TargetDays string
}

// stats shows, for one template and the actor's tenant, the running processes per stage and the
// median and 90th percentile of finished stays per stage.
func (d *Dashboard) stats(w http.ResponseWriter, r *http.Request, rq request) error {
	tv, err := d.cfg.Engine.Template(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		return errTemplate(err)
	}
	ps, err := d.processes(r.Context(), rq.actor, tv.Template.ID)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "stats.title", "overview", nil)
	p.Title = p.T("stats.title") + ": " + p.Text(tv.Template.Title)
	openBy := map[string]int{}
	for _, pr := range ps {
		if open(pr.Status) {
			openBy[pr.Stage]++
		}
	}
	stays := stayDays(ps)
	var rows []statRow
	labels, ns := []string{}, []int{}
	for _, s := range tv.Template.Stages {
		row := statRow{Stage: p.Text(s.Title), Open: openBy[s.Key], Visits: len(stays[s.Key]), Median: "—", P90: "—", TargetDays: "—"}
		if v := stays[s.Key]; len(v) > 0 {
			row.Median, row.P90 = formatDays(p.Lang, percentile(v, 0.5)), formatDays(p.Lang, percentile(v, 0.9))
		}
		if s.TargetDays > 0 {
			row.TargetDays = strconv.Itoa(s.TargetDays)
		}
		rows = append(rows, row)
		labels, ns = append(labels, row.Stage), append(ns, row.Open)
	}
	p.Data = struct {
		Template domain.Template
		Rows     []statRow
		Chart    barChart
	}{tv.Template, rows, newBarChart(p.T("stats.bystage"), p.T("overview.bystage.desc"), labels, ns)}
	return d.render(w, http.StatusOK, "stats", p)
}
