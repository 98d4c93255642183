package web

import (
	"context"
	"sort"
	"time"

	"github.com/civicflow/civicflow/domain/period"
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// periodRow is a legal period of the process as its page shows it: its exact end and its state.
type periodRow struct {
	Title, LegalBasis, Stage, Kind, State, Ends string
	// Missed marks a period that was not kept or has run out (maximum).
	Missed bool
}

// periodRows lists the template's periods in the process at now.
func periodRows(p *page, tpl domain.Template, pr *process.Process, cals period.Calendars, now time.Time) []periodRow {
	var out []periodRow
	for _, s := range pr.Periods(tpl, cals, now) {
		row := periodRow{Title: p.Text(s.Title), LegalBasis: s.LegalBasis, Kind: p.T("period.kind." + s.Kind)}
		if st, ok := tpl.Stage(s.Stage); ok {
			row.Stage = p.Text(st.Title)
		}
		switch {
		case !s.Enforced:
			row.State = p.T("period.documenting")
		case !s.Started:
			row.State = p.T("period.not_started")
		case s.Ended && !s.Met:
			row.State, row.Missed = p.T("period.missed"), true
		case s.Ended:
			row.State = p.T("period.over")
		default:
			row.State = p.T("period.running")
		}
		if s.Started {
			row.Ends = period.FormatEnd(s.EndsAt, s.Calendar.Location, p.Lang)
		}
		out = append(out, row)
	}
	for _, o := range pr.Time.Overrides {
		for i := range out {
			if out[i].Title == titleOf(p, tpl, o.Deadline) {
				out[i].State, out[i].Missed = p.T("period.skipped")+": "+o.Reason, true
			}
		}
	}
	return out
}

func titleOf(p *page, tpl domain.Template, key string) string {
	for _, d := range tpl.Deadlines {
		if d.Key == key {
			return p.Text(d.Title)
		}
	}
	return key
}

// deadlineNeed is a period on the first screen: ending within two weeks, or missed or skipped.
type deadlineNeed struct {
	ProcessID, Process, Title, Ends, State string
	Missed                                 bool
	at                                     time.Time
}

// deadlineNeeds lists a process's periods that end within two weeks or were missed or skipped.
func (d *Dashboard) deadlineNeeds(ctx context.Context, p *page, pr *process.Process, now time.Time) []deadlineNeed {
	tv, err := d.cfg.Engine.Template(ctx, pr.TemplateID, pr.TemplateVersion)
	if err != nil {
		return nil
	}
	skipped := map[string]string{}
	for _, o := range pr.Time.Overrides {
		skipped[o.Deadline] = o.Reason
	}
	var out []deadlineNeed
	for _, s := range pr.Periods(tv.Template, d.cfg.Engine.Calendars(), now) {
		n := deadlineNeed{ProcessID: pr.ID.String(), Process: pr.Title, Title: p.Text(s.Title), at: s.EndsAt}
		if s.Started {
			n.Ends = period.FormatEnd(s.EndsAt, s.Calendar.Location, p.Lang)
		}
		switch reason, ok := skipped[s.Key]; {
		case ok:
			n.State, n.Missed = p.T("period.skipped")+": "+reason, true
		case s.Enforced && s.Ended && !s.Met:
			n.State, n.Missed = p.T("period.missed"), true
		case s.Enforced && s.Started && !s.Ended && s.EndsAt.Before(now.Add(soon)):
		default:
			continue
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func init() {
	for k, v := range map[string][2]string{
		"work.deadlines":       {"Fristen: bald endend oder verfehlt", "Periods: ending soon or missed"},
		"work.deadlines.none":  {"Keine Frist endet in den nächsten 14 Tagen, keine ist verfehlt.", "No period ends within 14 days, none was missed."},
		"process.periods":      {"Fristen", "Periods"},
		"col.period":           {"Frist", "Period"},
		"col.kind":             {"Art", "Kind"},
		"col.legal_basis":      {"Rechtsgrundlage", "Legal basis"},
		"col.ends":             {"Ende", "End"},
		"col.state":            {"Stand", "State"},
		"period.kind.minimum":  {"Mindestfrist", "minimum period"},
		"period.kind.maximum":  {"Höchstfrist", "maximum period"},
		"period.kind.notice":   {"Ankündigungsfrist", "notice period"},
		"period.kind.response": {"Frist für Stellungnahmen", "period for responses"},
		"period.documenting":   {"nur dokumentiert", "documented only"},
		"period.not_started":   {"nicht begonnen", "not started"},
		"period.running":       {"läuft", "running"},
		"period.over":          {"abgelaufen", "over"},
		"period.missed":        {"verfehlt", "missed"},
		"period.skipped":       {"übergangen", "skipped"},
	} {
		messages[k] = v
	}
}
