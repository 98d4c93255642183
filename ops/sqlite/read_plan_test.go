package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// TestReadAll_plans names how SQLite executes each shape of a global-log read: a read of whole
// categories seeks in event_log_category, so it costs what it returns and not the events of
// other categories it passes (issue 16); an unfiltered read walks the log in position order.
func TestReadAll_plans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.db")
	open(t, sqlite.Config{Path: path}).Close()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	after := eventstore.SequencePosition(42)
	cases := []struct {
		name   string
		filter eventstore.Filter
		want   []string // each must appear in the plan
		refuse string   // must not appear
	}{
		{"one_category_seeks_its_index", eventstore.Filter{StreamPrefixes: []string{"token-"}},
			[]string{"USING INDEX event_log_category"}, "SCAN l"},
		{"two_categories_seek_the_index_twice", eventstore.Filter{StreamPrefixes: []string{"process-", "template-"}},
			[]string{"USING INDEX event_log_category"}, "SCAN l"},
		{"a_category_with_types_seeks_its_index", eventstore.Filter{StreamPrefixes: []string{"template-"}, EventTypes: []string{"template.published"}},
			[]string{"USING INDEX event_log_category"}, "SCAN l"},
		{"everything_walks_the_log_by_position", eventstore.Filter{},
			[]string{"USING INTEGER PRIMARY KEY"}, "USE TEMP B-TREE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			query, args := sqlite.ReadAllQuery(eventstore.ReadAllOptions{After: after, Filter: tc.filter}, 1000)
			rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			text := strings.Join(plan, "\n")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, tc.refuse) {
				t.Errorf("plan has %q:\n%s", tc.refuse, text)
			}
		})
	}
}
