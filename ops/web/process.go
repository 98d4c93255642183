package web

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

type taskRow struct {
	Title, Evidence, By string
	Required, Done      bool
}

type approvalRow struct {
	Title, By string
	Granted   bool
}

type participantRow struct {
	ID, Name, Group string
	Withdrawn       bool
}

type groupCount struct {
	Group string
	Count int
}

type sessionRow struct {
	Title, Format, Place string
	Date                 string
	Held                 bool
	Attendance           int
}

type decisionRow struct{ Subject, Model, Outcome string }

type visitRow struct {
	Stage, Entered, Left string
	Days                 int
}

type processData struct {
	ID, Title, Template, Programme, Lead, Opened, Status, Stage string
	Personal                                                    bool
	// Public says whether the process is in the tenant's open data.
	Public        bool
	Timeline      timeline
	Visits        []visitRow
	Tasks         []taskRow
	Approvals     []approvalRow
	Participants  []participantRow
	Groups        []groupCount
	Sessions      []sessionRow
	Contributions int
	Decisions     []decisionRow
	Results       []process.ResultPublished
	Measures      []measureRow
	History       []historyRow
	Collab        collabData
	// Version is the process's version the page shows (its forms send it back as If-Match).
	Version int64
	// Work holds the forms and the exit conditions (workbench.go).
	Work    work
	Periods []periodRow
}

// processPage shows one process; another tenant's process is 404 (Engine.Load decides).
func (d *Dashboard) processPage(w http.ResponseWriter, r *http.Request, rq request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	return d.showProcess(w, r, rq, id, http.StatusOK, nil)
}

// showProcess renders a process page with status; failed is a submitted form shown again with
// its problem (nil on a plain GET).
func (d *Dashboard) showProcess(w http.ResponseWriter, r *http.Request, rq request, id uuid.UUID, status int, failed *formState) error {
	pr, err := d.cfg.Engine.Load(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	tv, err := d.cfg.Engine.Template(r.Context(), pr.TemplateID, pr.TemplateVersion)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "process.history", "overview", nil)
	p.Title = pr.Title
	personal := seesPersonalData(rq.actor)
	stage, _ := tv.Template.Stage(pr.Stage)
	data := processData{ID: pr.ID.String(), Title: pr.Title, Programme: pr.Programme, Personal: personal, Public: pr.Public,
		Template: p.Text(tv.Template.Title), Opened: p.Date(pr.OpenedAt), Status: p.T("status." + string(pr.Status)),
		Stage: p.Text(stage.Title), Contributions: pr.Contributions, Results: pr.Results}
	if personal {
		data.Lead = pr.Lead
	}
	data.Timeline, data.Visits = d.timeline(p, tv.Template, pr)
	data.Periods = periodRows(p, tv.Template, pr, d.cfg.Engine.Calendars(), d.cfg.Now())
	for _, t := range stage.Tasks {
		rec, done := pr.Tasks[pr.Stage][t.Key]
		row := taskRow{Title: p.Text(t.Title), Required: t.Required, Done: done, Evidence: rec.Evidence}
		if personal {
			row.By = rec.By
		}
		data.Tasks = append(data.Tasks, row)
	}
	for _, a := range stage.Approvals {
		rec, ok := pr.Approvals[pr.Stage][a.Key]
		row := approvalRow{Title: p.Text(a.Title), Granted: ok}
		if personal {
			row.By = rec.By
		}
		data.Approvals = append(data.Approvals, row)
	}
	d.participants(r, p, pr, &data)
	for _, s := range sortedSessions(pr) {
		data.Sessions = append(data.Sessions, sessionRow{Title: s.Title, Format: p.Vocab(domain.Formats[s.Format]), Place: s.Place,
			Date: p.Date(s.Date), Held: s.Held, Attendance: s.Attendance})
	}
	for _, dc := range pr.Decisions {
		data.Decisions = append(data.Decisions, decisionRow{Subject: dc.Subject, Model: p.Vocab(domain.DecisionModels[dc.Model]), Outcome: dc.Outcome})
	}
	for _, m := range sortedMeasures(pr) {
		row := measureRow{Title: m.Title, Status: p.T("measure." + m.Status), StatusKey: m.Status, Bar: newProgressBar(m.Progress)}
		if personal {
			row.Owner = m.Owner
		}
		data.Measures = append(data.Measures, row)
	}
	events, err := d.cfg.Store.ReadStream(r.Context(), engine.StreamOf(pr.ID), eventstore.ReadStreamOptions{})
	if err != nil {
		return err
	}
	data.History = history(p, tv.Template, events, personal, d.erasures(r))
	data.Collab = d.collab(r.Context(), p, pr, tv.Template, personal)
	data.Version = pr.Version
	if data.Work, err = d.workbench(r.Context(), p, rq.actor, pr, tv.Template, failed); err != nil {
		return err
	}
	data.Work.note(p, r, failed, data.History)
	p.Data = data
	return d.render(w, status, "process", p)
}

func sortedSessions(pr *process.Process) []process.Session {
	out := make([]process.Session, 0, len(pr.Sessions))
	for _, s := range pr.Sessions {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// participants lists names for the roles that may see them, and only counts per group for viewers.
func (d *Dashboard) participants(r *http.Request, p *page, pr *process.Process, data *processData) {
	by := map[string]int{}
	for _, x := range pr.Participants {
		group := p.Vocab(domain.Groups[x.Group])
		if group == "" {
			group = x.Group
		}
		if !x.Withdrawn {
			by[group]++
		}
		if data.Personal {
			data.Participants = append(data.Participants, participantRow{ID: x.ID, Name: d.cfg.Engine.Reveal(r.Context(), x.Name), Group: group, Withdrawn: x.Withdrawn})
		}
	}
	sort.Slice(data.Participants, func(i, j int) bool { return data.Participants[i].Name < data.Participants[j].Name })
	for g, n := range by {
		data.Groups = append(data.Groups, groupCount{g, n})
	}
	sort.Slice(data.Groups, func(i, j int) bool { return data.Groups[i].Group < data.Groups[j].Group })
}

// timeline lays out the template's stages with the process's stays.
func (d *Dashboard) timeline(p *page, tpl domain.Template, pr *process.Process) (timeline, []visitRow) {
	now := d.cfg.Now()
	spent := map[string]int{}
	var visits []visitRow
	for _, v := range pr.Timeline {
		end, left := v.Left, p.Date(v.Left)
		if end.IsZero() {
			end, left = now, "—"
		}
		spent[v.Stage] += days(v.Entered, end)
		s, _ := tpl.Stage(v.Stage)
		visits = append(visits, visitRow{Stage: p.Text(s.Title), Entered: p.Date(v.Entered), Left: left, Days: days(v.Entered, end)})
	}
	current := tpl.StageIndex(pr.Stage)
	tl := timeline{Title: p.T("process.timeline"), Desc: p.T("process.timeline.desc"), Height: 96,
		Width: len(tpl.Stages)*(boxW+boxGap) - boxGap}
	for i, s := range tpl.Stages {
		state := "upcoming"
		switch {
		case i < current || (i == current && !open(pr.Status)):
			state = "done"
		case i == current:
			state = "current"
		}
		if _, visited := spent[s.Key]; !visited && state == "done" {
			state = "upcoming"
		}
		b := timelineBox{X: i * (boxW + boxGap), Width: boxW, State: state, StateLabel: p.T("timeline." + state),
			Label: shorten(p.Text(s.Title), 17), FullTitle: p.Text(s.Title), Number: i + 1, Days: "—"}
		if n, ok := spent[s.Key]; ok {
			b.Days = strconv.Itoa(n) + " " + p.T("timeline.days")
		}
		tl.Boxes = append(tl.Boxes, b)
	}
	return tl, visits
}
