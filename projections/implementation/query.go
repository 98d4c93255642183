package implementation

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civicflow/civicflow/projections/runner"
)

// Measure is one measure of the tracker.
type Measure struct {
	Tenant       string `json:"tenant"`
	Process      string `json:"process"`
	ProcessTitle string `json:"process_title"`
	ID           string `json:"id"`
	Title        string `json:"title"`
	// Owner is who is responsible for the measure (usually an office); "" if none was named.
	Owner string `json:"owner"`
	// Progress is in percent, 0 to 100.
	Progress int `json:"progress"`
	// Status is planned, in_progress, done, blocked or cancelled.
	Status string `json:"status"`
	// Due is the due date; zero (and left out) if none was set.
	Due time.Time `json:"due,omitzero"`
	// Overdue is true for a measure past its due date at the time of the query that is neither
	// done nor cancelled.
	Overdue   bool      `json:"overdue"`
	UpdatedAt time.Time `json:"updated_at"`
	// Position is the global position of the last event that changed the measure.
	Position string `json:"position"`
}

// Result is an answer with its provenance: every figure is computed up to Position.
type Result struct {
	Position string    `json:"position"`
	Measures []Measure `json:"measures"`
}

// Query selects measures: an empty tenant selects every tenant, an empty process every process
// (of the tenant).
type Query struct {
	Tenant  string
	Process string
	// Now is the time overdue is judged at.
	Now time.Time
}

// List returns the measures ordered by tenant, process title and the order they were defined in,
// read through db (a query-only pool).
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
	rows, err := tx.QueryContext(ctx, t.Q(`SELECT p.tenant, p.id, p.title, m.id, m.title, m.owner, m.progress, m.status,
		m.due, m.updated_at, m.position
		FROM {measure} m JOIN {process} p ON p.id = m.process
		WHERE (? = '' OR p.tenant = ?) AND (? = '' OR p.id = ?)
		ORDER BY p.tenant, p.title, p.id, m.defined_at, m.id`), q.Tenant, q.Tenant, q.Process, q.Process)
	if err != nil {
		return Result{}, fmt.Errorf("implementation: %w", err)
	}
	defer rows.Close()
	res := Result{Position: pos.String(), Measures: []Measure{}}
	for rows.Next() {
		var m Measure
		var due, updated string
		if err := rows.Scan(&m.Tenant, &m.Process, &m.ProcessTitle, &m.ID, &m.Title, &m.Owner, &m.Progress, &m.Status,
			&due, &updated, &m.Position); err != nil {
			return Result{}, err
		}
		if due != "" {
			m.Due, _ = time.Parse(time.RFC3339Nano, due)
		}
		m.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		m.Overdue = !m.Due.IsZero() && q.Now.After(m.Due) && m.Status != "done" && m.Status != "cancelled"
		res.Measures = append(res.Measures, m)
	}
	return res, rows.Err()
}
