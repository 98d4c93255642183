package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	domain "github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// pastItem is a task or an approval of a past state's stage: done (granted) or not.
type pastItem struct {
	Key, Title string
	Done       bool
}

// pastState is a process as it was, as the time-travel and comparison pages show it. It is
// computed by the engine's PastState (the API's ?at= and ?version=), never replayed here.
type pastState struct {
	AsOf            string // the instant the state is as of, RFC 3339 in UTC
	AsOfText        string // the same in the page's language
	Version         int64
	Stage, StageKey string
	Status          string
	TemplateVersion int
	Tasks           []pastItem
	Approvals       []pastItem
}

// pastQuery is one side of a time travel: an instant (datetime-local, read in UTC, or RFC 3339)
// or a version, as typed, with the problem found in it.
type pastQuery struct {
	At, Version string
	Problem     string // a message key; empty when the query is fine or not given
	Field       string // "at" or "version": where the problem is
}

func (q pastQuery) given() bool { return q.At != "" || q.Version != "" }

// travelData is the time-travel page: the two queries (B only when comparing) and their states.
type travelData struct {
	ID, Title string
	Compare   bool
	A, B      pastQuery
	StateA    *pastState
	StateB    *pastState
	Diff      []diffRow
	Missing   string // a message key when a side names an instant before the process existed
}

// diffRow is one line of a comparison: what, then and then, and whether it changed.
type diffRow struct {
	What, A, B string
	Changed    bool
}

// instantLayouts are the forms an instant may be typed in: a datetime-local field's value (read
// as UTC) or RFC 3339 as the API takes it.
var instantLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05.999999999"}

// parseInstant reads an instant; a value without a zone is UTC.
func parseInstant(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, l := range instantLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// readPast reads one side's query from the URL (at and version, or at2 and version2).
func readPast(q url.Values, suffix string) (pastQuery, engine.Past) {
	pq := pastQuery{At: strings.TrimSpace(q.Get("at" + suffix)), Version: strings.TrimSpace(q.Get("version" + suffix))}
	var past engine.Past
	switch {
	case pq.At != "" && pq.Version != "":
		pq.Problem, pq.Field = "travel.problem.both", "at"
	case pq.At != "":
		t, ok := parseInstant(pq.At)
		if !ok {
			pq.Problem, pq.Field = "travel.problem.at", "at"
		}
		past.At = t
	case pq.Version != "":
		n, err := strconv.ParseInt(pq.Version, 10, 64)
		if err != nil || n < 1 {
			pq.Problem, pq.Field = "travel.problem.version", "version"
		}
		past.Version = n
	}
	return pq, past
}

// travel serves GET /processes/{id}/past (one state) and /processes/{id}/compare (two side by
// side). Another tenant's process is 404, as its page.
func (d *Dashboard) travel(w http.ResponseWriter, r *http.Request, rq request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	pr, err := d.cfg.Engine.Load(r.Context(), rq.actor, id)
	if err != nil {
		return err
	}
	compare := strings.HasSuffix(r.URL.Path, "/compare")
	title := "travel.title"
	if compare {
		title = "travel.compare.title"
	}
	p := d.newPage(r, rq, title, "overview", nil)
	data := travelData{ID: id.String(), Title: pr.Title, Compare: compare}
	q := r.URL.Query()
	status := http.StatusOK
	var qa, qb engine.Past
	data.A, qa = readPast(q, "")
	if compare {
		data.B, qb = readPast(q, "2")
	}
	if data.StateA, err = d.pastSide(r, p, rq, id, &data.A, qa, &data.Missing); err != nil {
		return err
	}
	if compare {
		if data.StateB, err = d.pastSide(r, p, rq, id, &data.B, qb, &data.Missing); err != nil {
			return err
		}
		if data.StateA != nil && data.StateB != nil {
			data.Diff = diff(p, data.StateA, data.StateB)
		}
	}
	if data.A.Problem != "" || data.B.Problem != "" {
		status = http.StatusBadRequest
	}
	p.Data = data
	return d.render(w, status, "travel", p)
}

// pastSide asks the engine for one side's state; a bad query is marked on pq, an instant before
// the process existed sets missing. Nothing given: nil.
func (d *Dashboard) pastSide(r *http.Request, p *page, rq request, id uuid.UUID, pq *pastQuery, past engine.Past, missing *string) (*pastState, error) {
	if !pq.given() || pq.Problem != "" {
		return nil, nil
	}
	pr, asOf, err := d.cfg.Engine.PastState(r.Context(), rq.actor, id, past)
	var beyond *engine.BeyondError
	switch {
	case errors.As(err, &beyond):
		pq.Problem, pq.Field = "travel.problem.beyond", "version"
		return nil, nil
	case errors.Is(err, process.ErrNotFound):
		*missing = "travel.missing"
		return nil, nil
	case err != nil:
		return nil, err
	}
	tv, err := d.cfg.Engine.Template(r.Context(), pr.TemplateID, pr.TemplateVersion)
	if err != nil {
		return nil, err
	}
	return newPastState(p, tv.Template, pr, asOf), nil
}

// newPastState describes a past process: its stage with the stage's tasks and approvals.
func newPastState(p *page, tpl domain.Template, pr *process.Process, asOf time.Time) *pastState {
	stage, _ := tpl.Stage(pr.Stage)
	s := &pastState{AsOf: asOf.UTC().Format(time.RFC3339Nano), AsOfText: p.DateTime(asOf), Version: pr.Version,
		Stage: p.Text(stage.Title), StageKey: pr.Stage, Status: p.T("status." + string(pr.Status)), TemplateVersion: pr.TemplateVersion}
	for _, t := range stage.Tasks {
		_, done := pr.Tasks[pr.Stage][t.Key]
		s.Tasks = append(s.Tasks, pastItem{Key: t.Key, Title: p.Text(t.Title), Done: done})
	}
	for _, a := range stage.Approvals {
		_, ok := pr.Approvals[pr.Stage][a.Key]
		s.Approvals = append(s.Approvals, pastItem{Key: a.Key, Title: p.Text(a.Title), Done: ok})
	}
	return s
}

// diff lists what the two states show, each line marked when it changed: version, template
// version, stage, status, then every task and approval of either side's stage.
func diff(p *page, a, b *pastState) []diffRow {
	row := func(what, x, y string) diffRow { return diffRow{What: what, A: x, B: y, Changed: x != y} }
	rows := []diffRow{
		row(p.T("travel.version"), strconv.FormatInt(a.Version, 10), strconv.FormatInt(b.Version, 10)),
		row(p.T("travel.templateversion"), strconv.Itoa(a.TemplateVersion), strconv.Itoa(b.TemplateVersion)),
		row(p.T("col.stage"), a.Stage, b.Stage),
		row(p.T("col.status"), a.Status, b.Status),
	}
	items := func(kind string, x, y []pastItem, yes, no string) {
		state := func(list []pastItem, key string) string {
			for _, it := range list {
				if it.Key == key {
					if it.Done {
						return p.T(yes)
					}
					return p.T(no)
				}
			}
			return "—"
		}
		seen := map[string]bool{}
		for _, it := range append(append([]pastItem{}, x...), y...) {
			if seen[it.Key] {
				continue
			}
			seen[it.Key] = true
			rows = append(rows, row(p.T(kind)+": "+it.Title, state(x, it.Key), state(y, it.Key)))
		}
	}
	items("condition.task", a.Tasks, b.Tasks, "travel.done", "travel.open")
	items("condition.approval", a.Approvals, b.Approvals, "travel.granted", "travel.missingapproval")
	return rows
}
