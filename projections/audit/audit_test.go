package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
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

// TestTimelineTellsWhatTellTells: the timeline keeps facts and renders the sentences when read;
// they must come out as Tell tells the same events, with quotes, backslashes, control characters,
// non-ASCII text, numbers and titles (here the keys: no template is published).
func TestTimelineTellsWhatTellTells(t *testing.T) {
	s, _ := projectiontest.Open(t, t.TempDir())
	tricky := "„Zitat“ \"quoted\" back\\slash tab\tnew\nline \x01 ünï 😀 %d %s"
	payloads := []process.Payload{
		process.ProcessOpened{TemplateID: "t\"1", TemplateVersion: 1, Title: tricky, Tenant: "leipzig", Lead: "anna", Stage: "tender"},
		process.StageCompleted{Stage: "tender", Next: "decide"},
		process.MeasureProgressReported{Measure: "m\\1", Progress: -7, Status: tricky},
		process.SessionHeld{Session: "s1", Attendance: 1 << 40},
		process.DecisionRecorded{Decision: "d1", Subject: tricky, Model: "", Outcome: "ja"},
		process.ProcessSuspended{Reason: tricky},
		process.ContributionRecorded{Contribution: "k1"},
		process.ProcessMigrated{FromVersion: 1, ToVersion: 2, Stage: "x/y"},
		process.TeamFormed{Team: "et", Kind: "entwicklungsteam", Name: tricky},
		process.TeamMemberJoined{Team: "et", Participant: "p1"},
		process.OrganisationJoined{Organisation: "jc", Name: tricky, Group: "administration"},
		process.IndicatorValueRecorded{Indicator: "quote", Value: 5.25, Source: tricky},
		process.AttendanceRecorded{Session: "m1", Participants: []string{"p1", "p2"}},
		process.FeedbackGiven{Feedback: "f1", Session: "m1", Participant: "p1", Ratings: map[string]int{"nutzen": 4}},
		process.ProcessMigrated{FromVersion: 2, ToVersion: 1, Stage: "x"},
		process.ContributionRecorded{Contribution: "k2", ReceivedAt: time.Date(2027, 1, 16, 8, 0, 0, 0, time.UTC),
			Late: &process.Lateness{Deadline: "publication", EndedAt: time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)}},
		process.DateSet{Date: "announced_at", Value: time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC)},
		process.DeadlineExtended{Deadline: "publication", Days: 3, Reason: tricky, ApprovedBy: "frank", EndsAt: time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)},
		process.PeriodOverridden{Deadline: "notice", LegalBasis: "§ 3 BauGB", Action: "migrate", Stage: "publication", Reason: tricky},
		process.DeadlineReached{Deadline: "publication", EndsAt: time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)},
		process.ReminderDue{Deadline: "publication", Before: 7, EndsAt: time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)},
		process.EscalationDue{Deadline: "publication", Stage: "publication", After: 3, EndsAt: time.Date(2027, 1, 15, 23, 0, 0, 0, time.UTC)},
	}
	ctx := context.Background()
	stream := "process-0190a000-0000-7000-8000-0000000000ff"
	for _, p := range payloads {
		data, schema, err := process.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, stream, eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(), Type: p.Type(),
			SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: "leipzig", Actor: "anna"}}); err != nil {
			t.Fatal(err)
		}
	}
	projectiontest.CatchUp(t, s, audit.Projection{})
	res, err := audit.List(ctx, s.ProjectionReadDB(), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != len(payloads) {
		t.Fatalf("%d entries, want %d", len(res.Entries), len(payloads))
	}
	for i, p := range payloads {
		t.Run(p.Type(), func(t *testing.T) {
			// The store decodes what it stored, as the read model does.
			data, _, _ := process.Encode(p)
			decoded, err := process.Decode(p.Type(), process.SchemaVersion(p.Type()), data)
			if err != nil {
				t.Fatal(err)
			}
			want, got := audit.Tell("anna", decoded, nil), res.Entries[i]
			if got.De != want.De || got.En != want.En {
				t.Errorf("got\n%q\n%q\nwant\n%q\n%q", got.De, got.En, want.De, want.En)
			}
		})
	}
}

// List selects by tenant and process, in log order or newest first.
func TestList_filters_and_order(t *testing.T) {
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.CatchUp(t, s, audit.Projection{})
	ctx := context.Background()
	all, err := audit.List(ctx, s.ProjectionReadDB(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entries) < 3 {
		t.Fatalf("the history gives %d entries; the test needs several", len(all.Entries))
	}
	first := all.Entries[0]
	count := func(keep func(audit.Entry) bool) (n int) {
		for _, e := range all.Entries {
			if keep(e) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name string
		q    audit.Query
		want int
	}{
		{"one process", audit.Query{Process: first.Process, Limit: 1000}, count(func(e audit.Entry) bool { return e.Process == first.Process })},
		{"one tenant", audit.Query{Tenant: first.Tenant, Limit: 1000}, count(func(e audit.Entry) bool { return e.Tenant == first.Tenant })},
		{"process and tenant", audit.Query{Tenant: first.Tenant, Process: first.Process, Limit: 1000}, count(func(e audit.Entry) bool { return e.Process == first.Process })},
		{"another tenant's process", audit.Query{Tenant: "nobody", Process: first.Process, Limit: 1000}, 0},
		{"limit", audit.Query{Limit: 2}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := audit.List(ctx, s.ProjectionReadDB(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != tc.want {
				t.Fatalf("%d entries, want %d", len(res.Entries), tc.want)
			}
			for i, e := range res.Entries {
				if tc.q.Process != "" && e.Process != tc.q.Process || tc.q.Tenant != "" && e.Tenant != tc.q.Tenant {
					t.Errorf("entry %s of %s/%s selected", e.Position, e.Tenant, e.Process)
				}
				if i > 0 && res.Entries[i-1].Position >= e.Position && len(e.Position) == len(res.Entries[i-1].Position) {
					t.Errorf("entries out of log order at %s", e.Position)
				}
			}
		})
	}
	t.Run("newest first", func(t *testing.T) {
		res, err := audit.List(ctx, s.ProjectionReadDB(), audit.Query{Newest: true, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		last := all.Entries[len(all.Entries)-1]
		if len(res.Entries) != 2 || res.Entries[0].Position != last.Position || res.Entries[1].Position != all.Entries[len(all.Entries)-2].Position {
			t.Fatalf("newest first gave %+v, want %s then %s", res.Entries, last.Position, all.Entries[len(all.Entries)-2].Position)
		}
	})
}
