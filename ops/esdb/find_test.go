package esdb_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/esdb"
)

// streams holds events by stream as a server returns them to ReadStream, and counts the events
// each read returned.
type streams struct {
	mu   sync.Mutex
	evs  map[string][]eventstore.Event
	read int
}

func (s *streams) add(stream string, n int) []uuid.UUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.evs == nil {
		s.evs = map[string][]eventstore.Event{}
	}
	var ids []uuid.UUID
	for range n {
		e := eventstore.Event{ID: eventstore.NewEventID(), Stream: stream, Version: int64(len(s.evs[stream]) + 1)}
		s.evs[stream] = append(s.evs[stream], e)
		ids = append(ids, e.ID)
	}
	return ids
}

// reader reads stream as ReadStream does: forwards from version From (0: the start) or
// backwards from version From (0: the end), at most Limit events.
func (s *streams) reader(stream string) func(context.Context, eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	return func(_ context.Context, o eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		all := s.evs[stream]
		var out []eventstore.Event
		if o.Direction == eventstore.Backwards {
			end := int64(len(all))
			if o.From > 0 {
				end = min(o.From, end)
			}
			for v := end; v >= 1 && len(out) < o.Limit; v-- {
				out = append(out, all[v-1])
			}
		} else {
			for v := max(o.From, 1); v <= int64(len(all)) && len(out) < o.Limit; v++ {
				out = append(out, all[v-1])
			}
		}
		s.read += len(out)
		return out, nil
	}
}

// truth is what Find must answer: the IDs of ids recorded in stream, with their versions.
func (s *streams) truth(stream string, ids []uuid.UUID) map[uuid.UUID]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[uuid.UUID]int64{}
	for _, e := range s.evs[stream] {
		if slices.Contains(ids, e.ID) {
			out[e.ID] = e.Version
		}
	}
	return out
}

func (s *streams) reads() int { s.mu.Lock(); defer s.mu.Unlock(); r := s.read; s.read = 0; return r }

func find(t *testing.T, x *esdb.FindIndex, s *streams, stream string, ids ...uuid.UUID) {
	t.Helper()
	got, err := x.Find(context.Background(), stream, ids, s.reader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if want := s.truth(stream, ids); !maps.Equal(got, want) {
		t.Fatalf("Find(%s) = %v, want %v", stream, got, want)
	}
}

func TestFind_index_reads_only_what_was_appended_since(t *testing.T) {
	s := &streams{}
	a := s.add("process-a", 2500)
	x := esdb.NewFindIndex(1 << 18)
	find(t, x, s, "process-a", a[0], eventstore.NewEventID())
	if r := s.reads(); r != 2500 {
		t.Fatalf("the first Find read %d events, want the stream's 2500", r)
	}
	b := s.add("process-a", 3)
	find(t, x, s, "process-a", eventstore.NewEventID()) // a command never handled
	find(t, x, s, "process-a", a[1], b[2], a[2499])
	if r := s.reads(); r != 3 {
		t.Fatalf("the later Finds read %d events, want the 3 appended since", r)
	}
}

func TestFind_index_answers_what_the_stream_holds(t *testing.T) {
	s := &streams{}
	a, b := s.add("process-a", 40), s.add("process-b", 30)
	for name, max := range map[string]int{"indexed": 1 << 18, "off": -1, "one_stream_at_a_time": 50, "too_small_for_any": 20} {
		t.Run(name, func(t *testing.T) {
			x := esdb.NewFindIndex(max)
			for round := range 3 {
				find(t, x, s, "process-a", a[0], a[len(a)-1], eventstore.NewEventID())
				find(t, x, s, "process-a", b[0], b[1]) // another stream's IDs
				find(t, x, s, "process-b", b[3], a[3])
				find(t, x, s, "process-c", a[0]) // no stream
				if max > 0 && x.Total() > max {
					t.Fatalf("round %d: the index holds %d IDs, more than %d", round, x.Total(), max)
				}
				a = append(a, s.add("process-a", 5)...)
			}
		})
	}
}

func TestFind_index_drops_the_stream_searched_longest_ago(t *testing.T) {
	s := &streams{}
	a := s.add("process-a", 60)
	s.add("process-b", 60)
	x := esdb.NewFindIndex(100)
	find(t, x, s, "process-a", a[0])
	find(t, x, s, "process-b", a[0])
	s.reads()
	find(t, x, s, "process-a", a[59])
	if r := s.reads(); r != 60 {
		t.Fatalf("Find on the dropped stream read %d events, want all 60 again", r)
	}
	if x.Total() > 100 {
		t.Fatalf("the index holds %d IDs", x.Total())
	}
}

// Finds and appends at once: a Find sees every ID appended before it began (run with -race).
func TestFind_index_under_concurrent_finds_and_appends(t *testing.T) {
	s := &streams{}
	x := esdb.NewFindIndex(300) // small: streams are dropped and indexed again meanwhile
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				stream := fmt.Sprintf("process-%d", (w+i)%5)
				before := s.add(stream, 1+i%3)
				got, err := x.Find(context.Background(), stream, append(slices.Clone(before), eventstore.NewEventID()), s.reader(stream))
				if err != nil {
					errs <- err
					return
				}
				for _, id := range before {
					if _, ok := got[id]; !ok {
						errs <- fmt.Errorf("%s: %v appended before the Find, not found", stream, id)
						return
					}
				}
				if len(got) != len(before) {
					errs <- fmt.Errorf("%s: found %d IDs, %d were appended", stream, len(got), len(before))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
