package audit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

// longHistory appends the events of four processes in two tenants, interleaved at random, each
// process long enough to fill several chunks, and returns them in log order.
func longHistory(t *testing.T, s projectiontest.Log) []eventstore.Event {
	t.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 2))
	procs := []struct{ stream, tenant string }{
		{"process-0190a000-0000-7000-8000-0000000000a1", "leipzig"},
		{"process-0190a000-0000-7000-8000-0000000000a2", "menden"},
		{"process-0190a000-0000-7000-8000-0000000000a3", "leipzig"},
		{"process-0190a000-0000-7000-8000-0000000000a4", "menden"},
	}
	count := make([]int, len(procs))
	const perProcess = 3*audit.ChunkSize + 7
	for total := 0; total < perProcess*len(procs); {
		i := rnd.IntN(len(procs))
		if count[i] == perProcess {
			continue
		}
		var p process.Payload
		switch n := count[i]; {
		case n == 0:
			p = process.ProcessOpened{TemplateID: "bauleitplanung", TemplateVersion: 1, Title: "Verfahren " + strconv.Itoa(i),
				Tenant: procs[i].tenant, Lead: "anna", Stage: "tender"}
		case n%5 == 1:
			p = process.SessionScheduled{Session: "s" + strconv.Itoa(n), Title: "Werkstatt", Format: "workshop"}
		case n%5 == 2:
			p = process.ParticipantRegistered{Participant: "x" + strconv.Itoa(n), Person: "p", Group: "citizens"}
		default:
			p = process.ContributionRecorded{Contribution: "k" + strconv.Itoa(n), Topic: "Spielplatz"}
		}
		data, schema, err := process.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(ctx, procs[i].stream, eventstore.Any, eventstore.EventData{ID: eventstore.NewEventID(), Type: p.Type(),
			SchemaVersion: schema, Data: data, Metadata: eventstore.Metadata{Tenant: procs[i].tenant, Actor: "anna"}}); err != nil {
			t.Fatal(err)
		}
		count[i]++
		total++
	}
	events, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 10 * perProcess * len(procs)})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// chunkRows applies events in batches of the given sizes (the rest in one) to fresh tables and
// returns their rows.
func chunkRows(t *testing.T, b *projectiontest.Backend, events []eventstore.Event, sizes []int) string {
	t.Helper()
	var batches [][]eventstore.Event
	for rest := events; len(rest) > 0; {
		n := len(rest)
		if len(sizes) > 0 {
			n, sizes = min(sizes[0], n), sizes[1:]
		}
		batches, rest = append(batches, rest[:n]), rest[n:]
	}
	return projectiontest.Applied(t, b.DB, b.Dialect, audit.Projection{}, batches...)
}

// A chunk row depends only on the events, never on how they were split into batches: the live
// runner's small batches and a rebuild's pages must write the same rows.
func TestChunksDoNotDependOnTheBatches(t *testing.T) {
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		events := longHistory(t, b.Log)
		want := chunkRows(t, b, events, nil)
		if n := strings.Count(want[strings.Index(want, "table chunk\n"):strings.Index(want, "table measure\n")], "\n") - 1; n < 4*3 {
			t.Fatalf("%d chunk rows; the test needs processes of several chunks", n)
		}
		ones := make([]int, len(events))
		for i := range ones {
			ones[i] = 1
		}
		rnd := rand.New(rand.NewPCG(3, 4))
		var random []int
		for range len(events) {
			random = append(random, 1+rnd.IntN(2*audit.ChunkSize))
		}
		splits := map[string][]int{
			"event_by_event":       ones,
			"a_chunk_at_a_time":    slices.Repeat([]int{audit.ChunkSize}, len(events)),
			"one_short_of_a_chunk": slices.Repeat([]int{audit.ChunkSize - 1}, len(events)),
			"random":               random,
		}
		for name, sizes := range splits {
			t.Run(name, func(t *testing.T) {
				if got := chunkRows(t, b, events, sizes); got != want {
					t.Fatalf("in batches:\n%.2000s\nwant (one batch):\n%.2000s", got, want)
				}
			})
		}
	})
}

// List reads chunks of interleaved processes and must give exactly the first (the newest) Limit
// entries of the selection, whatever the limit and wherever the chunks begin and end.
func TestList_merges_interleaved_chunks(t *testing.T) {
	projectiontest.Backends(t, func(t *testing.T, b *projectiontest.Backend) {
		events := longHistory(t, b.Log)
		projectiontest.CatchUpOn(t, b, audit.Projection{})
		ctx := context.Background()
		all, err := audit.List(ctx, b.ReadDB, audit.Query{Limit: len(events) + 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Entries) != len(events) {
			t.Fatalf("%d entries, want one per event, %d", len(all.Entries), len(events))
		}
		for i, e := range all.Entries {
			if ev := events[i]; e.Position != strconv.FormatUint(ev.Position.Commit(), 10) || "process-"+e.Process != ev.Stream || e.Type != ev.Type {
				t.Fatalf("entry %d is %s %s %s, want the event %s %s %s", i, e.Position, e.Process, e.Type, ev.Position, ev.Stream, ev.Type)
			}
		}
		for _, q := range []audit.Query{{}, {Tenant: "leipzig"}, {Tenant: "menden"}, {Process: all.Entries[0].Process},
			{Process: all.Entries[0].Process, Tenant: all.Entries[0].Tenant}, {Process: all.Entries[0].Process, Tenant: "nobody"}} {
			var want []audit.Entry
			for _, e := range all.Entries {
				if (q.Tenant == "" || e.Tenant == q.Tenant) && (q.Process == "" || e.Process == q.Process) {
					want = append(want, e)
				}
			}
			newest := slices.Clone(want)
			slices.Reverse(newest)
			for _, limit := range []int{1, 2, audit.ChunkSize - 1, audit.ChunkSize, audit.ChunkSize + 1, 100, 2*audit.ChunkSize + 3, len(events)} {
				for _, q := range []audit.Query{{Tenant: q.Tenant, Process: q.Process, Limit: limit}, {Tenant: q.Tenant, Process: q.Process, Limit: limit, Newest: true}} {
					t.Run(fmt.Sprintf("%s_%s_%d_newest_%t", q.Tenant, q.Process, limit, q.Newest), func(t *testing.T) {
						res, err := audit.List(ctx, b.ReadDB, q)
						if err != nil {
							t.Fatal(err)
						}
						w := want
						if q.Newest {
							w = newest
						}
						w = w[:min(limit, len(w))]
						if got, want := positions(res.Entries), positions(w); got != want {
							t.Fatalf("positions\n%s\nwant\n%s", got, want)
						}
					})
				}
			}
		}
	})
}

func positions(entries []audit.Entry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Position)
		b.WriteByte(' ')
	}
	return b.String()
}
