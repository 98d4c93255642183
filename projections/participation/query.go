package participation

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/civicflow/civicflow/projections/runner"
)

// Group is the number of active participants of one stakeholder group.
type Group struct {
	Group  string `json:"group"`
	Active int    `json:"active"`
}

// Format is the sessions of one format: how many were scheduled, how many held, and the total
// attendance of the held ones.
type Format struct {
	Format     string `json:"format"`
	Scheduled  int    `json:"scheduled"`
	Held       int    `json:"held"`
	Attendance int    `json:"attendance"`
}

// Day is the number of contributions recorded on one day (UTC, "2006-01-02"), and how many of
// them were received after their period for responses ended (late).
type Day struct {
	Day           string `json:"day"`
	Contributions int    `json:"contributions"`
	Late          int    `json:"late"`
}

// Result is an answer with its provenance: every figure is computed up to Position.
type Result struct {
	Position      string   `json:"position"`
	Groups        []Group  `json:"groups"`
	Sessions      []Format `json:"sessions"`
	Contributions []Day    `json:"contributions"`
}

// Query selects the processes summed up: an empty tenant selects every tenant, an empty process
// every process (of the tenant).
type Query struct {
	Tenant  string
	Process string
}

// Summary returns the participation of the selected processes, read through db (a query-only pool).
func Summary(ctx context.Context, db *sql.DB, q Query) (Result, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Result{}, err
	}
	defer tx.Rollback()
	t, pos, err := runner.Active(ctx, tx, Name)
	if err != nil {
		return Result{}, err
	}
	res := Result{Position: pos.String(), Groups: []Group{}, Sessions: []Format{}, Contributions: []Day{}}
	const where = ` WHERE x.process IN (SELECT id FROM {process} WHERE (? = '' OR tenant = ?) AND (? = '' OR id = ?)) `
	args := []any{q.Tenant, q.Tenant, q.Process, q.Process}
	if err := scan(ctx, tx, t.Q(`SELECT x.grp, sum(x.active) FROM {participant} x`+where+`GROUP BY x.grp ORDER BY x.grp`), args,
		func(s func(...any) error) error {
			var g Group
			err := s(&g.Group, &g.Active)
			res.Groups = append(res.Groups, g)
			return err
		}); err != nil {
		return Result{}, err
	}
	if err := scan(ctx, tx, t.Q(`SELECT x.format, sum(x.scheduled), sum(x.held), sum(x.attendance) FROM {session} x`+where+
		`GROUP BY x.format ORDER BY x.format`), args, func(s func(...any) error) error {
		var f Format
		err := s(&f.Format, &f.Scheduled, &f.Held, &f.Attendance)
		res.Sessions = append(res.Sessions, f)
		return err
	}); err != nil {
		return Result{}, err
	}
	if err := scan(ctx, tx, t.Q(`SELECT x.day, sum(x.n), sum(x.late) FROM {contribution} x`+where+`GROUP BY x.day ORDER BY x.day`), args,
		func(s func(...any) error) error {
			var d Day
			err := s(&d.Day, &d.Contributions, &d.Late)
			res.Contributions = append(res.Contributions, d)
			return err
		}); err != nil {
		return Result{}, err
	}
	return res, nil
}

// scan runs query and calls row for each row with the row's Scan.
func scan(ctx context.Context, tx *sql.Tx, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("participation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
