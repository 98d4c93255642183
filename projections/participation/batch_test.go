package participation_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// step is one event of a test sequence: a process ("a" or "b"), a payload, and the day (since
// 2024-01-01) the store recorded it.
type step struct {
	process string
	payload process.Payload
	day     int
}

func reg(p, id, group string) step {
	return step{p, process.ParticipantRegistered{Participant: id, Person: "person-" + id, Group: group}, 0}
}
func withdraw(p, id string) step { return step{p, process.ParticipantWithdrawn{Participant: id}, 0} }
func schedule(p, id, format string) step {
	return step{p, process.SessionScheduled{Session: id, Title: "Werkstatt", Format: format}, 0}
}
func held(p, id string, n int) step {
	return step{p, process.SessionHeld{Session: id, Attendance: n}, 0}
}
func contribute(p string, day int) step {
	return step{p, process.ContributionRecorded{Contribution: "k", Topic: "Spielplatz"}, day}
}
func opened(p string) step {
	return step{p, process.ProcessOpened{Title: "Verfahren", Tenant: "t-" + p}, 0}
}

// events turns steps into the events of a log, at positions 1, 2, …
func events(t testing.TB, steps []step) []eventstore.Event {
	t.Helper()
	start := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	var es []eventstore.Event
	for i, s := range steps {
		data, schema, err := process.Encode(s.payload)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, eventstore.Event{Stream: "process-" + s.process, Version: int64(i + 1),
			Position: eventstore.SequencePosition(uint64(i + 1)), Type: s.payload.Type(), SchemaVersion: schema,
			Data: data, RecordedAt: start.AddDate(0, 0, s.day)})
	}
	return es
}

// tables applies the batches in order to fresh tables and returns every row of every table, with
// the type of each value.
func tables(t testing.TB, db *sql.DB, batches ...[]eventstore.Event) string {
	t.Helper()
	return projectiontest.Applied(t, db, runner.SQLite, participation.Projection{}, batches...)
}

// oneByOne is each event in a batch of its own, as Projection.Apply applies them.
func oneByOne(es []eventstore.Event) [][]eventstore.Event {
	var bs [][]eventstore.Event
	for i := range es {
		bs = append(bs, es[i:i+1])
	}
	return bs
}

// split cuts es into batches after each event i whose bit i is set in cuts.
func split(es []eventstore.Event, cuts uint64) [][]eventstore.Event {
	var bs [][]eventstore.Event
	from := 0
	for i := range es {
		if i == len(es)-1 || cuts&(1<<i) != 0 {
			bs = append(bs, es[from:i+1])
			from = i + 1
		}
	}
	return bs
}

// TestApplyBatchFolds checks that a batch folded in memory gives exactly the tables of its
// events applied one by one, for tricky sequences split into batches in every way.
func TestApplyBatchFolds(t *testing.T) {
	t.Parallel() // each of the two folds tests has a store of its own; together they took half the package's time
	s, _ := projectiontest.Open(t, t.TempDir())
	db := s.ProjectionDB()
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"register then withdraw", []step{opened("a"), reg("a", "x", "citizens"), withdraw("a", "x"), reg("b", "x", "citizens")}},
		{"withdraw of an unknown participant", []step{withdraw("a", "x"), withdraw("a", "y"), reg("a", "y", "citizens"), withdraw("b", "y")}},
		{"registered twice, another group", []step{reg("a", "x", "citizens"), reg("a", "x", "business"), withdraw("a", "x"), reg("a", "x", "council"), reg("a", "y", "citizens")}},
		{"withdrawn, then registered again", []step{reg("a", "x", "citizens"), withdraw("a", "x"), withdraw("a", "x"), reg("a", "x", "business"), withdraw("a", "y")}},
		{"held, never scheduled", []step{held("a", "s", 12), held("a", "s", 14), held("b", "s", 3)}},
		{"held then scheduled", []step{held("a", "s", 12), schedule("a", "s", "workshop"), schedule("a", "s", "hearing"), held("a", "s", 7)}},
		{"scheduled then held", []step{schedule("a", "s", "workshop"), held("a", "s", 9), schedule("a", "s", "walk"), schedule("a", "t", "hearing"), held("b", "t", 0)}},
		{"contributions", []step{opened("a"), contribute("a", 0), contribute("a", 0), contribute("b", 0), contribute("a", 1), contribute("a", -20000), contribute("a", 0)}},
		{"everything", []step{opened("a"), reg("a", "x", "citizens"), schedule("a", "s", "workshop"), contribute("a", 0), withdraw("a", "x"), held("a", "s", 5), opened("b"), step{"b", process.TaskCompleted{Stage: "tender", Task: "t"}, 0}, reg("a", "x", "business"), held("b", "s", 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := events(t, tc.steps)
			want := tables(t, db, oneByOne(es)...)
			if want == "" {
				t.Fatal("the sequence changes no table")
			}
			for cuts := range uint64(1) << (len(es) - 1) {
				if got := tables(t, db, split(es, cuts)...); got != want {
					t.Fatalf("batches %v:\n%s\nwant (one by one):\n%s", sizes(split(es, cuts)), got, want)
				}
			}
		})
	}
}

// TestApplyBatchFoldsRandom compares random sequences over a few participants and sessions, cut
// into random batches, with the events applied one by one.
func TestApplyBatchFoldsRandom(t *testing.T) {
	t.Parallel()
	s, _ := projectiontest.Open(t, t.TempDir())
	db := s.ProjectionDB()
	rnd := rand.New(rand.NewPCG(1, 2))
	runs := 200
	if testing.Short() {
		runs = 20
	}
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	for range runs {
		var steps []step
		for range 2 + rnd.IntN(60) {
			p := pick("a", "b")
			switch rnd.IntN(5) {
			case 0:
				steps = append(steps, reg(p, pick("x", "y", "z"), pick("citizens", "business")))
			case 1:
				steps = append(steps, withdraw(p, pick("x", "y", "z")))
			case 2:
				steps = append(steps, schedule(p, pick("s", "t"), pick("workshop", "hearing")))
			case 3:
				steps = append(steps, held(p, pick("s", "t"), rnd.IntN(50)))
			default:
				steps = append(steps, contribute(p, rnd.IntN(3)))
			}
		}
		es := events(t, steps)
		cuts := rnd.Uint64()
		if got, want := tables(t, db, split(es, cuts)...), tables(t, db, oneByOne(es)...); got != want {
			t.Fatalf("%d events in batches %v:\n%s\nwant (one by one):\n%s", len(es), sizes(split(es, cuts)), got, want)
		}
	}
}

// TestApplyBatchManyRows checks batches with more rows of each kind than one statement writes.
func TestApplyBatchManyRows(t *testing.T) {
	s, _ := projectiontest.Open(t, t.TempDir())
	db := s.ProjectionDB()
	var before, batch []step
	for i := range 2*runner.InsertChunk + 17 {
		id := fmt.Sprint(i)
		before = append(before, opened("p"+id), reg("a", "w"+id, "citizens"))
		batch = append(batch, reg("a", "x"+id, "citizens"), withdraw("a", "w"+id), schedule("b", "s"+id, "workshop"),
			held("a", "h"+id, i), contribute("p"+id, 0), opened("q"+id))
	}
	es := events(t, append(before, batch...))
	want := tables(t, db, oneByOne(es)...)
	if got := tables(t, db, es[:len(before)], es[len(before):]); got != want {
		t.Fatalf("in two batches:\n%s\nwant (one by one):\n%s", got, want)
	}
}

func sizes(bs [][]eventstore.Event) []int {
	var n []int
	for _, b := range bs {
		n = append(n, len(b))
	}
	return n
}
