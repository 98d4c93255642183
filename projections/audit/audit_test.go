package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

func TestAuditTimeline(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, audit.Projection{})
	res, err := audit.List(context.Background(), s.ProjectionReadDB(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	projectiontest.Golden(t, "testdata/timeline.golden.json", res)
	t.Run("holds_no_sealed_data", func(t *testing.T) {
		for _, e := range res.Entries {
			for _, secret := range []string{"c2VhbGVk", "leipzig:p1", "Schatten"} {
				if strings.Contains(e.De+e.En, secret) {
					t.Errorf("entry %s carries %q: %s", e.Position, secret, e.En)
				}
			}
		}
	})
	t.Run("names_the_task_by_its_title", func(t *testing.T) {
		for _, e := range res.Entries {
			if e.Type != "process.task_completed" {
				continue
			}
			if want := "anna hat die Aufgabe „Aufruf veröffentlichen“ erledigt."; e.De != want {
				t.Errorf("got %q, want %q", e.De, want)
			}
			if want := "anna completed the task “Publish the call”."; e.En != want {
				t.Errorf("got %q, want %q", e.En, want)
			}
			return
		}
		t.Error("no task in the timeline")
	})
}
