package web

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/stagestats"
)

type overviewRow struct {
	ID, Title, Tenant, Template, Stage, Status string
	Days, Target                               int
	Overdue                                    bool
	Participants, Sessions, Contributions      int
	Measures                                   int
	Progress                                   progressBar
}

type templateLink struct{ ID, Title string }

type overviewData struct {
	Rows          []overviewRow
	ShowTenant    bool
	Chart         barChart
	Templates     []templateLink
	Participation participationData
	// Work answers "what needs me?" (workspace.go); nil for auditors and viewers.
	Work *workspace
}

// participationData is the participation read model of the tenant: active participants per
// stakeholder group, sessions per format and contributions per day, with its own provenance.
type participationData struct {
	Position      string
	Groups        []groupCount
	Sessions      []formatRow
	Contributions barChart
	Days          int
}

type formatRow struct {
	Format                      string
	Scheduled, Held, Attendance int
}

// tenantOf is the read models' tenant filter for an actor: "" (every tenant) for an installation
// administrator, else the actor's tenant.
func tenantOf(a process.Actor) string {
	if a.Installation {
		return ""
	}
	return a.Tenant
}

// overview lists the processes of the tenant from the process overview read model, with stage,
// status, days in stage, an overdue marker and the participation and measure figures, and charts
// the running processes per stage. The page says up to which event of the log its figures are
// computed.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, rq request) error {
	return d.showOverview(w, r, rq, http.StatusOK, nil)
}

// showOverview renders the first screen with status; failed is an open form shown again.
func (d *Dashboard) showOverview(w http.ResponseWriter, r *http.Request, rq request, status int, failed *formState) error {
	res, err := overview.List(r.Context(), d.cfg.ReadModels, overview.Query{Tenant: tenantOf(rq.actor), Now: d.cfg.Now()})
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "overview.title", "overview", nil)
	p.Position = res.Position
	data := overviewData{ShowTenant: rq.actor.Installation}
	type stageCount struct {
		label string
		index int
		n     int
	}
	counts := map[string]*stageCount{}
	seen := map[string]bool{}
	for _, s := range res.Rows {
		stage, idx, tplTitle := d.stageOf(r.Context(), s.Template, s.TemplateVersion, s.Stage)
		row := overviewRow{ID: s.ID, Title: s.Title, Tenant: s.Tenant, Template: p.Text(tplTitle),
			Stage: p.Text(stage.Title), Status: p.T("status." + s.Status), Days: s.DaysInStage, Target: s.TargetDays,
			Overdue: s.Overdue, Participants: s.Participants, Sessions: s.SessionsHeld, Contributions: s.Contributions,
			Measures: s.Measures, Progress: newProgressBar(int(s.AverageProgress + 0.5))}
		data.Rows = append(data.Rows, row)
		if !seen[s.Template] {
			seen[s.Template] = true
			data.Templates = append(data.Templates, templateLink{ID: s.Template, Title: p.Text(tplTitle)})
		}
		if open(process.Status(s.Status)) {
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
	if data.Participation, err = d.participation(r, p, rq); err != nil {
		return err
	}
	if data.Work, err = d.workspace(r.Context(), p, rq.actor, res.Rows, failed); err != nil {
		return err
	}
	p.Data = data
	return d.render(w, status, "overview", p)
}

// participation reads the participation read model for the actor's tenant (every tenant for an
// installation administrator); the contributions chart shows the last 30 days that had any.
func (d *Dashboard) participation(r *http.Request, p *page, rq request) (participationData, error) {
	res, err := participation.Summary(r.Context(), d.cfg.ReadModels, participation.Query{Tenant: tenantOf(rq.actor)})
	if err != nil {
		return participationData{}, err
	}
	out := participationData{Position: res.Position, Days: len(res.Contributions)}
	for _, g := range res.Groups {
		name := p.Vocab(domain.Groups[g.Group])
		if name == "" {
			name = g.Group
		}
		out.Groups = append(out.Groups, groupCount{name, g.Active})
	}
	for _, f := range res.Sessions {
		name := p.Vocab(domain.Formats[f.Format])
		if name == "" {
			name = f.Format
		}
		out.Sessions = append(out.Sessions, formatRow{name, f.Scheduled, f.Held, f.Attendance})
	}
	days := res.Contributions[max(0, len(res.Contributions)-30):]
	labels, ns := make([]string, len(days)), make([]int, len(days))
	for i, day := range days {
		labels[i], ns[i] = day.Day, day.Contributions
	}
	out.Contributions = newBarChart(p.T("participation.perday"), p.T("participation.perday.desc"), labels, ns)
	return out, nil
}

type measureRow struct {
	ProcessID, Process, Title, Owner, Status, StatusKey, Due string
	Overdue                                                  bool
	Bar                                                      progressBar
}

// measures is the implementation tracker, from the implementation read model: every measure of
// the tenant's processes with progress, status, due date and an overdue marker.
func (d *Dashboard) measures(w http.ResponseWriter, r *http.Request, rq request) error {
	res, err := implementation.List(r.Context(), d.cfg.ReadModels, implementation.Query{Tenant: tenantOf(rq.actor), Now: d.cfg.Now()})
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "measures.title", "measures", nil)
	p.Position = res.Position
	var rows []measureRow
	for _, m := range res.Measures {
		row := measureRow{ProcessID: m.Process, Process: m.ProcessTitle, Title: m.Title, Status: p.T("measure." + m.Status),
			StatusKey: m.Status, Bar: newProgressBar(m.Progress), Overdue: m.Overdue}
		if !m.Due.IsZero() {
			row.Due = p.Date(m.Due)
		}
		if seesPersonalData(rq.actor) {
			row.Owner = m.Owner
		}
		rows = append(rows, row)
	}
	p.Data = struct {
		Rows      []measureRow
		ShowOwner bool
	}{rows, seesPersonalData(rq.actor)}
	return d.render(w, http.StatusOK, "measures", p)
}

type statRow struct {
	Tenant, Stage           string
	WIP, Entered, Completed int
	Median, P90, TargetDays string
}

// stats shows, for one template, the stage statistics read model of the actor's tenant (of every
// tenant for an installation administrator): per stage the processes in it now, how often one
// entered and completed it, and the median and 90th percentile of the completed stays.
func (d *Dashboard) stats(w http.ResponseWriter, r *http.Request, rq request) error {
	tv, err := d.cfg.Engine.TemplateFor(r.Context(), rq.actor, r.PathValue("id"), 0)
	if err != nil {
		return errTemplate(err)
	}
	res, err := stagestats.List(r.Context(), d.cfg.ReadModels, stagestats.Query{Tenant: tenantOf(rq.actor), Template: tv.Template.ID})
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "stats.title", "overview", nil)
	p.Title = p.T("stats.title") + ": " + p.Text(tv.Template.Title)
	p.Position = res.Position
	byStage := map[string][]stagestats.Row{}
	for _, row := range res.Rows {
		byStage[row.Stage] = append(byStage[row.Stage], row)
	}
	var rows []statRow
	labels, ns := []string{}, []int{}
	for _, s := range tv.Template.Stages {
		target := "—"
		if s.TargetDays > 0 {
			target = strconv.Itoa(s.TargetDays)
		}
		wip := 0
		stageRows := byStage[s.Key]
		if len(stageRows) == 0 {
			stageRows = []stagestats.Row{{Tenant: tenantOf(rq.actor)}}
		}
		for _, st := range stageRows {
			row := statRow{Tenant: st.Tenant, Stage: p.Text(s.Title), WIP: st.WorkInProgress, Entered: st.Entered, Completed: st.Completed,
				Median: "—", P90: "—", TargetDays: target}
			if st.Completed > 0 {
				row.Median, row.P90 = formatDays(p.Lang, st.MedianDays), formatDays(p.Lang, st.P90Days)
			}
			rows = append(rows, row)
			wip += st.WorkInProgress
		}
		labels, ns = append(labels, p.Text(s.Title)), append(ns, wip)
	}
	p.Data = struct {
		Template   domain.Template
		Rows       []statRow
		ShowTenant bool
		Chart      barChart
	}{tv.Template, rows, rq.actor.Installation, newBarChart(p.T("stats.bystage"), p.T("overview.bystage.desc"), labels, ns)}
	return d.render(w, http.StatusOK, "stats", p)
}

func sortedMeasures(p *process.Process) []process.Measure {
	out := make([]process.Measure, 0, len(p.Measures))
	for _, m := range p.Measures {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Measure < out[j].Measure })
	return out
}

type activityRow struct {
	When, Sentence, ProcessID string
}

// activity is the audit timeline of the tenant (of every tenant for an installation
// administrator): the last 100 things people did, newest first, as sentences in the page's
// language. The sentences name users, so viewers (the public) do not get the page.
func (d *Dashboard) activity(w http.ResponseWriter, r *http.Request, rq request) error {
	if !seesPersonalData(rq.actor) {
		return errForbidden
	}
	res, err := audit.List(r.Context(), d.cfg.ReadModels, audit.Query{Tenant: tenantOf(rq.actor), Limit: 100, Newest: true})
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "activity.title", "activity", nil)
	p.Position = res.Position
	rows := make([]activityRow, 0, len(res.Entries))
	for _, e := range res.Entries {
		row := activityRow{When: p.DateTime(e.At), Sentence: e.De, ProcessID: e.Process}
		if p.Lang == "en" {
			row.Sentence = e.En
		}
		rows = append(rows, row)
	}
	p.Data = struct{ Rows []activityRow }{rows}
	return d.render(w, http.StatusOK, "activity", p)
}
