package stagestats

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/civicflow/civicflow/projections/runner"
)

// Row is the statistics of one stage of one template in one tenant.
type Row struct {
	Tenant   string `json:"tenant"`
	Template string `json:"template"`
	Stage    string `json:"stage"`
	// Entered is how often a process entered the stage (a process sent back enters it again).
	Entered int `json:"entered"`
	// Completed is how often a process left the stage forwards (to the next stage or completing).
	Completed int `json:"completed"`
	// MedianDays and P90Days are the median and the 90th percentile of the completed stays'
	// durations in days (linear interpolation, one decimal); 0 without completed stays.
	MedianDays float64 `json:"median_days"`
	P90Days    float64 `json:"p90_days"`
	// WorkInProgress is the number of processes in the stage now (active or suspended).
	WorkInProgress int `json:"work_in_progress"`
}

// Result is an answer with its provenance: every figure is computed up to Position.
type Result struct {
	Position string `json:"position"`
	Rows     []Row  `json:"rows"`
}

// Query selects statistics; an empty tenant selects every tenant, an empty template every template.
type Query struct {
	Tenant   string
	Template string
}

// List returns the stage statistics ordered by tenant, template and the stages' order in the
// template, read through db (a query-only pool).
func List(ctx context.Context, db *sql.DB, q Query) (Result, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Result{}, err
	}
	defer tx.Rollback()
	t, pos, err := runner.Active(ctx, tx, Name)
	if err != nil {
		return Result{}, err
	}
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT s.tenant, s.template, s.stage, s.entered_at, s.left_at, s.outcome
		FROM {stay} s LEFT JOIN {stage} o ON o.template = s.template AND o.stage = s.stage
		WHERE (? = '' OR s.tenant = ?) AND (? = '' OR s.template = ?)
		ORDER BY s.tenant, s.template, coalesce(o.ord, 1000000), s.stage`), q.Tenant, q.Tenant, q.Template, q.Template)
	if err != nil {
		return Result{}, fmt.Errorf("stagestats: %w", err)
	}
	defer rows.Close()
	res := Result{Position: pos.String(), Rows: []Row{}}
	var days []float64
	flush := func() {
		if n := len(res.Rows); n > 0 {
			slices.Sort(days)
			res.Rows[n-1].MedianDays = quantile(days, 0.5)
			res.Rows[n-1].P90Days = quantile(days, 0.9)
		}
		days = days[:0]
	}
	for rows.Next() {
		var tenant, tmpl, stage, entered string
		var left, outcome sql.NullString
		if err := rows.Scan(&tenant, &tmpl, &stage, &entered, &left, &outcome); err != nil {
			return Result{}, err
		}
		if n := len(res.Rows); n == 0 || res.Rows[n-1].Tenant != tenant || res.Rows[n-1].Template != tmpl || res.Rows[n-1].Stage != stage {
			flush()
			res.Rows = append(res.Rows, Row{Tenant: tenant, Template: tmpl, Stage: stage})
		}
		r := &res.Rows[len(res.Rows)-1]
		r.Entered++
		switch {
		case !left.Valid:
			r.WorkInProgress++
		case outcome.String == "completed":
			r.Completed++
			from, _ := time.Parse(time.RFC3339Nano, entered)
			to, _ := time.Parse(time.RFC3339Nano, left.String)
			days = append(days, to.Sub(from).Hours()/24)
		}
	}
	flush()
	return res, rows.Err()
}

// quantile returns the q-quantile of sorted values by linear interpolation, to one decimal.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	v := sorted[lo]
	if lo+1 < len(sorted) {
		v += (pos - float64(lo)) * (sorted[lo+1] - v)
	}
	return math.Round(v*10) / 10
}
