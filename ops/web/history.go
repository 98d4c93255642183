package web

import (
	"fmt"
	"net/http"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// historyRow is one event as people read it: when, who (hidden for viewers), what and a short
// detail that never carries personal data (no participant names, no contribution texts).
type historyRow struct {
	Version      int64
	When, Who    string
	What, Detail string
}

// erasure tells whether a person was erased, and the record of it.
type erasure func(person string) (engine.PersonErased, bool)

func history(p *page, tpl domain.Template, events []eventstore.Event, personal bool, erased erasure) []historyRow {
	rows := make([]historyRow, 0, len(events))
	for _, ev := range events {
		row := historyRow{Version: ev.Version, When: p.DateTime(ev.RecordedAt), What: p.T("event." + ev.Type), Who: p.T("hidden")}
		if personal {
			row.Who = ev.Metadata.Actor
		}
		if payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data); err == nil {
			row.Detail = detail(p, tpl, payload)
			if personal {
				row.Detail = withErasure(p, row.Detail, payload, erased)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// withErasure adds to an event's detail that the personal data it carried was erased, when and
// by which role, as the process view says it (the data itself never shows in the history).
func withErasure(p *page, detail string, payload process.Payload, erased erasure) string {
	var person string
	switch e := payload.(type) {
	case process.ParticipantRegistered:
		person = e.Name.Person
	case process.ContributionRecorded:
		person = e.Text.Person
	}
	if person == "" {
		return detail
	}
	pe, ok := erased(person)
	if !ok {
		return detail
	}
	notice := fmt.Sprintf(p.T("history.erased"), p.Date(pe.At), pe.ByRole)
	if detail == "" {
		return notice
	}
	return detail + " · " + notice
}

// erasures looks up erasures through the engine, each person once per page.
func (d *Dashboard) erasures(r *http.Request) erasure {
	type found struct {
		pe engine.PersonErased
		ok bool
	}
	seen := map[string]found{}
	return func(person string) (engine.PersonErased, bool) {
		f, known := seen[person]
		if !known {
			var err error
			f.pe, f.ok, err = d.cfg.Engine.Erasure(r.Context(), person)
			f.ok = f.ok && err == nil
			seen[person] = f
		}
		return f.pe, f.ok
	}
}

// detail summarises an event by the template's titles and the non-personal fields.
func detail(p *page, tpl domain.Template, payload process.Payload) string {
	if s, ok := timeDetail(p, tpl, payload); ok {
		return s
	}
	stage := func(key string) string {
		if s, ok := tpl.Stage(key); ok {
			return p.Text(s.Title)
		}
		return key
	}
	task := func(stageKey, key string) string {
		s, _ := tpl.Stage(stageKey)
		for _, t := range s.Tasks {
			if t.Key == key {
				return p.Text(t.Title)
			}
		}
		return key
	}
	approval := func(stageKey, key string) string {
		s, _ := tpl.Stage(stageKey)
		for _, a := range s.Approvals {
			if a.Key == key {
				return p.Text(a.Title)
			}
		}
		return key
	}
	switch e := payload.(type) {
	case process.ProcessOpened:
		return e.Title
	case process.TaskCompleted:
		return task(e.Stage, e.Task)
	case process.TaskReopened:
		return task(e.Stage, e.Task)
	case process.ApprovalGranted:
		return approval(e.Stage, e.Approval)
	case process.ApprovalRevoked:
		return approval(e.Stage, e.Approval)
	case process.StageCompleted:
		if e.Next == "" {
			return stage(e.Stage)
		}
		return stage(e.Stage) + " → " + stage(e.Next)
	case process.StageReverted:
		return stage(e.Stage) + " → " + stage(e.To)
	case process.ParticipantRegistered:
		name, _ := tpl.GroupTitle(e.Group)
		return p.Text(name)
	case process.SessionScheduled:
		format, _ := tpl.FormatTitle(e.Format)
		return e.Title + " (" + p.Text(format) + ", " + p.Date(e.Date) + ")"
	case process.SessionHeld:
		return fmt.Sprintf("%s: %d", p.T("col.attendance"), e.Attendance)
	case process.DecisionRecorded:
		return e.Subject
	case process.ResultPublished:
		return e.Title
	case process.MeasureDefined:
		return e.Title
	case process.MeasureProgressReported:
		return p.Pct(e.Progress) + " · " + p.T("measure."+e.Status)
	case process.ProcessCompleted:
		return stage(e.Stage)
	}
	return ""
}
