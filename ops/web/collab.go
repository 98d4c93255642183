package web

import (
	"context"
	"maps"
	"sort"
	"strconv"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
)

// The process page's section on teams, roles, organisations, indicators, attendance and feedback.
func init() { maps.Copy(messages, collabMessages) }

var collabMessages = map[string][2]string{
	"collab.teams":                           {"Teams", "Teams"},
	"collab.teams.caption":                   {"Teams mit Größenregel, Mitgliedern und Coach", "Teams with their size rule, members and coach"},
	"collab.roles":                           {"Rollen", "Roles"},
	"collab.orgs":                            {"Beteiligte Organisationen", "Organisations taking part"},
	"collab.indicators":                      {"Kennzahlen", "Indicators"},
	"collab.values":                          {"Werte", "Values"},
	"collab.attendance":                      {"Teilnahme je Termin", "Attendance per session"},
	"collab.feedback":                        {"Rückmeldungen", "Feedback"},
	"collab.feedback.cap":                    {"Rückmeldungen je Termin: Anzahl und Durchschnitt je Frage", "Feedback per session: count and average per question"},
	"col.team":                               {"Team", "Team"},
	"col.kind":                               {"Art", "Kind"},
	"col.size":                               {"Größe", "Size"},
	"col.members":                            {"Mitglieder", "Members"},
	"col.coach":                              {"Coach", "Coach"},
	"col.complete":                           {"vollständig", "complete"},
	"col.role":                               {"Rolle", "Role"},
	"col.holders":                            {"Personen", "Persons"},
	"col.organisation":                       {"Organisation", "Organisation"},
	"col.group":                              {"Akteursgruppe", "Stakeholder group"},
	"col.contact":                            {"Kontakt", "Contact"},
	"col.value":                              {"Wert", "Value"},
	"col.source":                             {"Quelle", "Source"},
	"col.count":                              {"Anzahl", "Count"},
	"col.question":                           {"Frage", "Question"},
	"col.average":                            {"Durchschnitt", "Average"},
	"indicator.baseline":                     {"Ausgangswert", "Baseline"},
	"indicator.target":                       {"Zielwert", "Target"},
	"indicator.reached":                      {"Ziel erreicht", "target reached"},
	"indicator.open":                         {"Ziel noch nicht erreicht", "target not yet reached"},
	"indicator.desc":                         {"%s: Ausgangswert %s am %s, Zielwert %s bis %s, zuletzt %s am %s – %s.", "%s: baseline %s on %s, target %s by %s, latest %s on %s – %s."},
	"yes":                                    {"ja", "yes"},
	"no":                                     {"nein", "no"},
	"event.process.team_formed":              {"Team gebildet", "Team formed"},
	"event.process.team_member_joined":       {"Teammitglied aufgenommen", "Team member joined"},
	"event.process.team_member_left":         {"Teammitglied ausgeschieden", "Team member left"},
	"event.process.coach_assigned":           {"Coach zugeordnet", "Coach assigned"},
	"event.process.role_taken":               {"Rolle übernommen", "Role taken"},
	"event.process.role_released":            {"Rolle abgegeben", "Role released"},
	"event.process.organisation_joined":      {"Organisation beteiligt", "Organisation joined"},
	"event.process.indicator_declared":       {"Kennzahl festgelegt", "Indicator declared"},
	"event.process.indicator_value_recorded": {"Kennzahlwert erfasst", "Indicator value recorded"},
	"event.process.attendance_recorded":      {"Anwesenheit erfasst", "Attendance recorded"},
	"event.process.feedback_given":           {"Rückmeldung gegeben", "Feedback given"},
}

type teamRow struct {
	Name, Kind, Size, Coach string
	Members                 []string
	Complete                bool
}

type roleRow struct {
	Role    string
	Holders []string
}

type orgRow struct{ Name, Group, Contact string }

type indicatorRow struct {
	Chart  indicatorChart
	Unit   string
	Values []valueRow
}

type valueRow struct{ Date, Value, Source string }

type feedbackRow struct {
	Session  string
	Count    int
	Averages []questionAverage
}

type questionAverage struct {
	Question string
	Average  string
}

type attendanceRow struct {
	Session string
	Count   int
}

// collabData is the section's data; names only for roles that see personal data.
type collabData struct {
	Teams         []teamRow
	Roles         []roleRow
	Organisations []orgRow
	Indicators    []indicatorRow
	Attendance    []attendanceRow
	Feedback      []feedbackRow
}

func (d *Dashboard) collab(ctx context.Context, p *page, pr *process.Process, tpl domain.Template, personal bool) collabData {
	var c collabData
	name := func(participant string) string {
		if !personal {
			return participant
		}
		return d.cfg.Engine.Reveal(ctx, pr.Participants[participant].Name)
	}
	for _, t := range pr.Collab.Teams {
		kind, _ := tpl.TeamKind(t.Kind)
		row := teamRow{Name: t.Name, Kind: p.Text(kind.Title), Size: process.SizeRule(kind, p.Lang),
			Complete: len(t.Members) >= kind.Min && len(t.Members) <= kind.Max && (!kind.Coached || t.Coach != "")}
		for _, m := range t.Members {
			row.Members = append(row.Members, name(m))
		}
		if t.Coach != "" {
			row.Coach = name(t.Coach)
		}
		c.Teams = append(c.Teams, row)
	}
	sort.Slice(c.Teams, func(i, j int) bool { return c.Teams[i].Name < c.Teams[j].Name })
	for _, r := range tpl.ProcessRoles {
		row := roleRow{Role: p.Text(r.Title)}
		for _, x := range pr.Collab.Roles[r.Key] {
			row.Holders = append(row.Holders, name(x))
		}
		c.Roles = append(c.Roles, row)
	}
	for _, o := range pr.Collab.Organisations {
		row := orgRow{Name: o.Name, Group: p.Text(domain.Groups[o.Group])}
		if personal {
			row.Contact = d.cfg.Engine.Reveal(ctx, o.ContactName)
		}
		c.Organisations = append(c.Organisations, row)
	}
	sort.Slice(c.Organisations, func(i, j int) bool { return c.Organisations[i].Name < c.Organisations[j].Name })
	for _, ind := range pr.Indicators(tpl) {
		var values []domain.Measurement
		for _, v := range pr.Collab.Values[ind.Key] {
			values = append(values, domain.Measurement{Value: v.Value, Date: v.Date, Source: v.Source})
		}
		c.Indicators = append(c.Indicators, newIndicatorRow(p, ind, values, pr.Latest(ind)))
	}
	for _, s := range sortedSessions(pr) {
		if xs, ok := pr.Collab.Attendance[s.Session]; ok {
			c.Attendance = append(c.Attendance, attendanceRow{Session: s.Title, Count: len(xs)})
		}
	}
	c.Feedback = feedbackRows(p, pr, tpl)
	return c
}

// feedbackRows average each session's ratings per question (no texts: they are personal data).
func feedbackRows(p *page, pr *process.Process, tpl domain.Template) []feedbackRow {
	var rows []feedbackRow
	for _, s := range sortedSessions(pr) {
		row := feedbackRow{Session: s.Title}
		sums := map[string]int{}
		counts := map[string]int{}
		for _, f := range pr.Collab.Feedback {
			if f.Session != s.Session {
				continue
			}
			row.Count++
			for q, r := range f.Ratings {
				sums[q] += r
				counts[q]++
			}
		}
		if row.Count == 0 {
			continue
		}
		for _, q := range tpl.FeedbackQuestions {
			avg := "—"
			if counts[q.Key] > 0 {
				avg = fmtAverage(float64(sums[q.Key])/float64(counts[q.Key]), q.Scale)
			}
			row.Averages = append(row.Averages, questionAverage{Question: p.Text(q.Text), Average: avg})
		}
		rows = append(rows, row)
	}
	return rows
}

func fmtAverage(v float64, scale int) string {
	return strconv.FormatFloat(v, 'f', 1, 64) + " / " + strconv.Itoa(scale)
}

// newIndicatorRow is an indicator's chart and the table of its values.
func newIndicatorRow(p *page, ind domain.Indicator, values []domain.Measurement, latest domain.Measurement) indicatorRow {
	row := indicatorRow{Chart: newIndicatorChart(p, ind, values, latest), Unit: ind.Unit}
	for _, v := range values {
		row.Values = append(row.Values, valueRow{Date: p.Date(v.Date), Value: number(v.Value, ind.Unit), Source: v.Source})
	}
	return row
}
