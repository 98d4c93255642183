package runner_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/projectiontest"
	"github.com/civicflow/civicflow/projections/runner"
)

// appendInterleaved writes n small process events after the recorded history: procs processes
// take turns, ten events each, so that a process's chunks of the timeline, its participants,
// sessions and days run across the parts and pages of a rebuild (some participants withdrawn
// before they register, some sessions held before they are scheduled).
func appendInterleaved(t testing.TB, s eventstore.Store, procs, n int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	streams := make([]string, procs)
	versions := make([]int, procs)
	for i := range streams {
		streams[i] = "process-" + interleavedID(i)
	}
	for done := 0; done < n; {
		for p := 0; p < procs && done < n; p++ {
			batch := make([]eventstore.EventData, 0, 10)
			for ; len(batch) < 10 && done < n; done++ {
				v := versions[p]
				versions[p]++
				var payload process.Payload
				switch {
				case v == 0:
					payload = process.ProcessOpened{TemplateID: "bench", TemplateVersion: 1, Title: "Verfahren " + strconv.Itoa(p), Tenant: "t" + strconv.Itoa(p%3), Lead: "anna", Stage: "tender", At: at}
				case v%10 == 1:
					payload = process.SessionScheduled{Session: "s" + strconv.Itoa(v%40), Title: "Werkstatt", Format: "workshop", Date: at}
				case v%10 == 2:
					payload = process.ParticipantRegistered{Participant: "x" + strconv.Itoa(v%30), Person: "p", Group: "citizens"}
				case v%20 == 3:
					// Now and then before the participant's first registration, too.
					payload = process.ParticipantWithdrawn{Participant: "x" + strconv.Itoa((v+9)%30)}
				case v%20 == 4:
					payload = process.SessionHeld{Session: "s" + strconv.Itoa((v+17)%40), Attendance: v % 13}
				default:
					payload = process.ContributionRecorded{Contribution: "k" + strconv.Itoa(v), Topic: "Spielplatz"}
				}
				data, schema, err := process.Encode(payload)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, eventstore.EventData{ID: eventstore.NewEventID(), Type: payload.Type(), SchemaVersion: schema, Data: data,
					Metadata: eventstore.Metadata{Tenant: "t" + strconv.Itoa(p%3), Actor: "ben" + strconv.Itoa(v%2)}})
			}
			if _, err := s.Append(ctx, streams[p], eventstore.Any, batch...); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// interleavedID is the ID of appendInterleaved's i-th process.
func interleavedID(i int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("interleaved "+strconv.Itoa(i))).String()
}

// checkAll compares the active build of each of ps on b with a replay event by event, the rows
// of the process (all rows when it is empty).
func checkAll(t *testing.T, b *projectiontest.Backend, process string, ps ...runner.Projection) {
	t.Helper()
	scratch, discard, err := b.Scratch()
	if err != nil {
		t.Fatal(err)
	}
	defer discard()
	for _, p := range ps {
		res, err := runner.Check(context.Background(), runner.CheckConfig{Store: b.Log, Live: b.ReadDB, Scratch: scratch, Dialect: b.Dialect, Process: process}, p)
		if err != nil {
			t.Fatalf("%s, process %q: %v", p.Name(), process, err)
		}
		if res.Events == 0 {
			t.Fatalf("%s, process %q compared nothing: %+v", p.Name(), process, res)
		}
	}
}

// A rebuild of several pages whose processes interleave (a chunk of the timeline continued in a
// later part and page, from what the pass remembers; on PostgreSQL the page's statements
// pipelined) must give what a replay event by event gives, on both backends, also when it
// replaces the builds of an earlier rebuild.
func TestRebuildOfInterleavedProcessesMatchesAReplayEventByEvent(t *testing.T) {
	// Pages and parts a fifth of their size, and a fifth of the events: the same two pages of
	// eleven parts, each process's ~90 events in two chunks of the timeline.
	shrink := runner.ShrinkPages(t)
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, history)
		appendInterleaved(t, b.Log, 23, 10_500/shrink)
		r, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: all()})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := r.RebuildAll(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// Two of the interleaved processes, whose rows run across parts and pages, and the
		// recorded history's first (a replay of the whole log takes minutes).
		for _, process := range []string{interleavedID(0), interleavedID(22), first} {
			checkAll(t, b, process, all()...)
		}
	})
}

// failingOnce is the timeline, whose ApplyBatch fails once after it applied its batch, at its
// failAt-th call: the rebuild's page is rolled back after the pass state took in what it wrote.
type failingOnce struct {
	audit.Projection
	calls, failAt int
}

var errInjected = errors.New("injected failure")

func (f *failingOnce) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	if err := f.Projection.ApplyBatch(ctx, tx, t, events); err != nil {
		return err
	}
	if f.calls++; f.calls == f.failAt {
		return errInjected
	}
	return nil
}

// A page that fails after the timeline remembered what it wrote is applied again reading the
// tables, not from that memory, which held rows the rollback undid.
func TestRebuildPageThatFailedIsAppliedAgainWithoutThePassState(t *testing.T) {
	shrink := runner.ShrinkPages(t) // the same three parts in one page, from a fifth of the events
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		projectiontest.Append(t, b.Log, b.Clock, history)
		appendInterleaved(t, b.Log, 23, 2_500/shrink)
		failing := &failingOnce{failAt: 2}
		r, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: []runner.Projection{failing}, Backoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.RebuildAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if failing.calls <= failing.failAt {
			t.Fatalf("%d calls: the failure was not followed by a retry", failing.calls)
		}
		checkAll(t, b, "", audit.Projection{})
	})
}

// passProbe is a read model that notes, for each batch, whether it had a pass state and whether
// a query saw the row it had just written through the same Stmts.
type passProbe struct {
	calls    *int
	passes   *[]bool
	ownWrite *[]bool
}

type passProbeKey struct{}

func (p passProbe) Name() string              { return "pass_probe" }
func (p passProbe) Version() int              { return 1 }
func (p passProbe) Filter() eventstore.Filter { return eventstore.Filter{} }
func (p passProbe) Schema(t runner.Tables) []string {
	return []string{t.Q(`CREATE TABLE {seen} (n INTEGER PRIMARY KEY)`)}
}

func (p passProbe) Apply(ctx context.Context, tx *sql.Tx, t runner.Tables, e eventstore.Event) error {
	return p.ApplyBatch(ctx, tx, t, []eventstore.Event{e})
}

func (p passProbe) ApplyBatch(ctx context.Context, tx *sql.Tx, t runner.Tables, events []eventstore.Event) error {
	_, ok := runner.Pass(ctx, passProbeKey{}, func() int { return 0 })
	*p.passes = append(*p.passes, ok)
	s := runner.NewStmts(ctx, tx, t)
	defer s.Close()
	*p.calls++
	if err := s.Exec(`INSERT INTO {seen} (n) VALUES (?)`, *p.calls); err != nil {
		return err
	}
	var n int
	if _, err := s.QueryRow(`SELECT count(*) FROM {seen} WHERE n = ?`, []any{*p.calls}, &n); err != nil {
		return err
	}
	*p.ownWrite = append(*p.ownWrite, n == 1)
	return nil
}

// probeRebuild appends the recorded history and three interleaved processes to b (in three
// parts of a page shrunk by shrink), rebuilds the read model that wrap makes of a passProbe,
// checks that every batch of the rebuild had a pass state and read what it wrote before, and
// returns the probe.
func probeRebuild(t *testing.T, b *projectiontest.Backend, shrink int, wrap func(passProbe) runner.Projection) passProbe {
	t.Helper()
	projectiontest.Append(t, b.Log, b.Clock, history)
	appendInterleaved(t, b.Log, 3, 2_500/shrink)
	probe := passProbe{calls: new(int), passes: new([]bool), ownWrite: new([]bool)}
	r, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: []runner.Projection{wrap(probe)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RebuildAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	passes, ownWrite := *probe.passes, *probe.ownWrite
	if len(passes) < 3 {
		t.Fatalf("%d batches in the rebuild, want at least 3 parts", len(passes))
	}
	for i := range passes {
		if !passes[i] || !ownWrite[i] {
			t.Fatalf("rebuild batch %d: pass state %v, saw its own write %v; want both", i, passes[i], ownWrite[i])
		}
	}
	return probe
}

// itself is a passProbe as it is, for probeRebuild.
func itself(p passProbe) runner.Projection { return p }

// In a rebuild every batch has a pass state and reads what it wrote before (on PostgreSQL the
// queued statements run before the query); a live batch has no pass state.
func TestPassStateOnlyInARebuildAndQueuedWritesBeforeQueries(t *testing.T) {
	shrink := runner.ShrinkPages(t) // the same three parts from a fifth of the events
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		probe := probeRebuild(t, b, shrink, itself)
		rebuilt := len(*probe.passes)
		appendInterleaved(t, b.Log, 1, 5)
		projectiontest.CatchUpOn(t, b, probe)
		passes, ownWrite := *probe.passes, *probe.ownWrite
		if len(passes) == rebuilt {
			t.Fatal("no live batch after the rebuild")
		}
		for i := rebuilt; i < len(passes); i++ {
			if passes[i] || !ownWrite[i] {
				t.Fatalf("live batch %d: pass state %v, saw its own write %v; want none and true", i, passes[i], ownWrite[i])
			}
		}
	})
}

// tablesFail is passProbe whose tables cannot be made: its second statement creates the first
// one's table again.
type tablesFail struct{ passProbe }

func (tablesFail) Schema(t runner.Tables) []string {
	return []string{t.Q(`CREATE TABLE {seen} (n INTEGER PRIMARY KEY)`), t.Q(`CREATE TABLE {seen} (n INTEGER)`)}
}

// A rebuild whose tables cannot be made fails, and the build it was to replace stays active with
// its rows (on PostgreSQL the tables are made while the first page is applied: nothing of the
// page runs before they are).
func TestRebuildWhoseTablesCannotBeMadeFailsAndKeepsTheActiveBuild(t *testing.T) {
	shrink := runner.ShrinkPages(t) // the same three parts from a fifth of the events
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		ctx := context.Background()
		probe := probeRebuild(t, b, shrink, itself)
		tables, pos, err := runner.Active(ctx, b.ReadDB, probe.Name())
		if err != nil {
			t.Fatal(err)
		}
		rows := *probe.calls
		failing, err := runner.New(runner.Config{Store: b.Log, DB: b.DB, Dialect: b.Dialect, Projections: []runner.Projection{tablesFail{probe}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := failing.RebuildAll(ctx); err == nil {
			t.Fatal("the rebuild whose tables cannot be made succeeded")
		}
		after, afterPos, err := runner.Active(ctx, b.ReadDB, probe.Name())
		if err != nil {
			t.Fatal(err)
		}
		if after != tables || afterPos != pos {
			t.Fatalf("active build %s at %s after the failed rebuild, want %s at %s", after, afterPos, tables, pos)
		}
		var n int
		if err := b.ReadDB.QueryRowContext(ctx, tables.Q(`SELECT count(*) FROM {seen}`)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != rows {
			t.Fatalf("%d rows in the active build after the failed rebuild, want %d", n, rows)
		}
	})
}

// slowTables is passProbe whose tables take a while to make on PostgreSQL (pg_sleep in a CREATE
// TABLE … AS).
type slowTables struct {
	passProbe
	postgres bool
}

func (s slowTables) Schema(t runner.Tables) []string {
	stmts := s.passProbe.Schema(t)
	if s.postgres {
		stmts = append(stmts, t.Q(`CREATE TABLE {slow} AS SELECT 1 AS n FROM pg_sleep(0.5)`))
	}
	return stmts
}

// The first page of a rebuild, applied while its tables are made on PostgreSQL, runs nothing
// before they are: no page fails (a failed page is applied again without the pass state).
func TestRebuildFirstPageWaitsForItsTables(t *testing.T) {
	shrink := runner.ShrinkPages(t) // the same three parts from a fifth of the events
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		probeRebuild(t, b, shrink, func(p passProbe) runner.Projection { return slowTables{p, b.Dialect == runner.PostgreSQL} })
	})
}
