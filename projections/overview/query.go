package overview

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/civicflow/civicflow/projections/runner"
)

// Row is one process in the overview.
type Row struct {
	ID              string    `json:"id"`
	Tenant          string    `json:"tenant"`
	Template        string    `json:"template"`
	TemplateVersion int       `json:"template_version"`
	Title           string    `json:"title"`
	Stage           string    `json:"stage"`
	Status          string    `json:"status"`
	OpenedAt        time.Time `json:"opened_at"`
	StageEnteredAt  time.Time `json:"stage_entered_at"`
	// DaysInStage is the whole days since the stage was entered, at the time of the query.
	DaysInStage int `json:"days_in_stage"`
	// TargetDays is the stage's planned duration from the template; 0 means none.
	TargetDays int `json:"target_days"`
	// Overdue is true for an active process longer in its stage than the target.
	Overdue           bool `json:"overdue"`
	Participants      int  `json:"participants"`
	SessionsScheduled int  `json:"sessions_scheduled"`
	SessionsHeld      int  `json:"sessions_held"`
	Contributions     int  `json:"contributions"`
	Measures          int  `json:"measures"`
	// AverageProgress is the mean progress of the measures in percent, 0 without measures.
	AverageProgress float64 `json:"average_progress"`
	// Position is the global position of the last event that changed the row.
	Position string `json:"position"`
}

// Result is an answer with its provenance: every figure is computed up to Position.
type Result struct {
	Position string `json:"position"`
	Rows     []Row  `json:"rows"`
}

// Query selects processes; an empty tenant selects every tenant.
type Query struct {
	Tenant string
	// Now is the time days in stage are counted to.
	Now time.Time
}

// List returns the processes of the overview, newest first, read through db (a query-only pool).
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
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT p.id, p.tenant, p.template, p.template_version, p.title, p.stage, p.status,
		p.opened_at, p.entered_at, p.participants, p.sessions_scheduled, p.sessions_held, p.contributions, p.position,
		coalesce(g.target_days, 0), (SELECT count(*) FROM {measure} m WHERE m.process = p.id),
		(SELECT coalesce(avg(m.progress), 0) FROM {measure} m WHERE m.process = p.id)
		FROM {process} p LEFT JOIN {target} g ON g.template = p.template AND g.version = p.template_version AND g.stage = p.stage
		WHERE ? = '' OR p.tenant = ? ORDER BY p.opened_at DESC, p.id`), q.Tenant, q.Tenant)
	if err != nil {
		return Result{}, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	res := Result{Position: pos.String(), Rows: []Row{}}
	for rows.Next() {
		var r Row
		var opened, entered string
		if err := rows.Scan(&r.ID, &r.Tenant, &r.Template, &r.TemplateVersion, &r.Title, &r.Stage, &r.Status, &opened, &entered,
			&r.Participants, &r.SessionsScheduled, &r.SessionsHeld, &r.Contributions, &r.Position, &r.TargetDays, &r.Measures, &r.AverageProgress); err != nil {
			return Result{}, err
		}
		r.OpenedAt, _ = time.Parse(time.RFC3339Nano, opened)
		r.StageEnteredAt, _ = time.Parse(time.RFC3339Nano, entered)
		r.DaysInStage = int(math.Floor(q.Now.Sub(r.StageEnteredAt).Hours() / 24))
		r.Overdue = r.Status == "active" && r.TargetDays > 0 && r.DaysInStage > r.TargetDays
		r.AverageProgress = math.Round(r.AverageProgress*10) / 10
		res.Rows = append(res.Rows, r)
	}
	return res, rows.Err()
}
