package web

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/report"
	"github.com/civicflow/civicflow/workflows/verify"
)

// ProcessVerifier verifies one process, as the API's POST /api/v1/processes/{id}/verify does
// (*verify.Verifier is one); verify.ErrNoProcess when the process has no events.
type ProcessVerifier interface {
	Process(ctx context.Context, id string) (verify.Report, error)
}

// ReportSources is what audit reports prove their events with (the API's ReportSeals).
type ReportSources struct {
	// Heads lists the signed tree heads. Default: none; reports carry no seal.
	Heads report.HeadLister
	// Tree reads the log's Merkle tree for inclusion proofs. Default: none; no proofs.
	Tree tlog.HashReader
	// Key checks the heads' signature in the report's verification. Default: not checked.
	Key note.Verifier
}

// mayAudit reports whether the actor may verify processes and read audit reports: auditors and
// administrators, as in the API.
func mayAudit(a process.Actor) bool {
	return a.Role == domain.RoleAuditor || a.Role == domain.RoleAdministrator
}

// historyFilter is the history page's filter: the API's actor, type, from_time and to_time
// (instants typed as datetime-local are UTC), inclusive bounds.
type historyFilter struct {
	Actor, Type, From, To string
	from, to              time.Time
	Problem, Field        string
}

func readHistoryFilter(r *http.Request) historyFilter {
	q := r.URL.Query()
	f := historyFilter{Actor: strings.TrimSpace(q.Get("actor")), Type: q.Get("type"), From: q.Get("from_time"), To: q.Get("to_time")}
	for _, b := range []struct {
		field, s string
		t        *time.Time
	}{{"from_time", f.From, &f.from}, {"to_time", f.To, &f.to}} {
		if b.s == "" {
			continue
		}
		t, ok := parseInstant(b.s)
		if !ok {
			f.Problem, f.Field = "travel.problem.at", b.field
			return f
		}
		*b.t = t
	}
	if !f.from.IsZero() && !f.to.IsZero() && f.to.Before(f.from) {
		f.Problem, f.Field = "history.problem.order", "to_time"
	}
	return f
}

func (f historyFilter) matches(ev eventstore.Event) bool {
	return (f.Actor == "" || ev.Metadata.Actor == f.Actor) && (f.Type == "" || ev.Type == f.Type) &&
		(f.from.IsZero() || !ev.RecordedAt.Before(f.from)) && (f.to.IsZero() || !ev.RecordedAt.After(f.to))
}

// historyData is the filtered history page.
type historyData struct {
	ID, Title string
	Personal  bool
	Filter    historyFilter
	Types     []typeChoice
	Rows      []historyRow
	Total     int
}

type typeChoice struct {
	Type, Label string
	Selected    bool
}

// historyPage serves GET /processes/{id}/history: the process's events filtered by who (not for
// viewers: they see no user names), event type and time range.
func (d *Dashboard) historyPage(w http.ResponseWriter, r *http.Request, rq request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	pr, err := d.cfg.Engine.Load(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	tv, err := d.cfg.Engine.Template(r.Context(), pr.TemplateID, pr.TemplateVersion)
	if err != nil {
		return err
	}
	events, err := d.cfg.Store.ReadStream(r.Context(), engine.StreamOf(id), eventstore.ReadStreamOptions{})
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "history.title", "overview", nil)
	data := historyData{ID: id.String(), Title: pr.Title, Personal: seesPersonalData(rq.actor), Filter: readHistoryFilter(r), Total: len(events)}
	if !data.Personal {
		data.Filter.Actor = ""
	}
	types := map[string]bool{}
	var kept []eventstore.Event
	for _, ev := range events {
		types[ev.Type] = true
		if data.Filter.Problem == "" && data.Filter.matches(ev) {
			kept = append(kept, ev)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(types)) {
		data.Types = append(data.Types, typeChoice{Type: t, Label: p.T("event." + t), Selected: t == data.Filter.Type})
	}
	sort.SliceStable(data.Types, func(i, j int) bool { return data.Types[i].Label < data.Types[j].Label })
	data.Rows = history(p, tv.Template, kept, data.Personal, d.erasures(r))
	p.Data = data
	status := http.StatusOK
	if data.Filter.Problem != "" {
		status = http.StatusBadRequest
	}
	return d.render(w, status, "auditview", p)
}

// verifyData is the verification page.
type verifyData struct {
	ID, Title string
	Ready     bool // a verifier is configured
	Report    verify.Report
}

// verifyPage serves GET /processes/{id}/verify: it verifies the process as the API's POST …/verify
// does (the same Verifier) and shows every check. A read, so auditors may: it changes nothing.
func (d *Dashboard) verifyPage(w http.ResponseWriter, r *http.Request, rq request) error {
	pr, err := d.auditable(r, rq)
	if err != nil {
		return err
	}
	p := d.newPage(r, rq, "verify.title", "overview", nil)
	data := verifyData{ID: pr.ID.String(), Title: pr.Title, Ready: d.cfg.Verifier != nil}
	if data.Ready {
		if data.Report, err = d.cfg.Verifier.Process(r.Context(), pr.ID.String()); err != nil {
			return err
		}
	}
	p.Data = data
	return d.render(w, http.StatusOK, "verify", p)
}

// reportDownload serves GET /processes/{id}/report?format=html|json|csv: the audit report the
// API's GET …/report answers (report.Build on the same sources), as a download.
func (d *Dashboard) reportDownload(w http.ResponseWriter, r *http.Request, rq request) error {
	pr, err := d.auditable(r, rq)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	types := map[string]string{"html": "text/html; charset=utf-8", "json": "application/json", "csv": "text/csv; charset=utf-8"}
	if types[format] == "" {
		return errNotFound
	}
	src := report.Sources{Store: d.cfg.Store, Heads: d.cfg.Report.Heads, Hashes: d.cfg.Report.Tree}
	rep, err := report.Build(r.Context(), src, pr.ID, d.cfg.Now(), d.cfg.Report.Key)
	if err != nil {
		return err
	}
	rep.RequestedBy = rq.actor.User + " (" + rq.actor.Role + ")"
	var buf strings.Builder
	switch format {
	case "json":
		err = rep.WriteJSON(&buf)
	case "csv":
		err = rep.WriteCSV(&buf)
	default:
		err = rep.WriteHTML(&buf)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", types[format])
	w.Header().Set("Content-Disposition", `attachment; filename="audit-report-`+pr.ID.String()+`.`+format+`"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(buf.String()))
	return err
}

// auditable loads the path's process for an auditor or administrator: another tenant's process
// is 404, other roles 403.
func (d *Dashboard) auditable(r *http.Request, rq request) (*process.Process, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return nil, errNotFound
	}
	pr, err := d.cfg.Engine.Load(r.Context(), rq.actor, id)
	if err != nil {
		return nil, err
	}
	if !mayAudit(rq.actor) {
		return nil, errForbidden
	}
	return pr, nil
}
