package eventstoretest

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

func testEnvelope(t *testing.T, h *harness) {
	s, p := h.open(t)
	e1 := event("process.opened", 1)
	e1.Data = []byte(`{ "title" : "Spielplatz Lindenau",  "stage": "tender" }`)
	e1.Metadata = eventstore.Metadata{Tenant: "leipzig", Actor: "anna", CorrelationID: "corr-1", CausationID: "cause-1", CommandID: "cmd-1"}
	e2 := event("process.task_completed", 2)
	e2.SchemaVersion = 3
	res := mustAppend(t, s, p+"1", eventstore.NoStream, e1, e2)
	if res.Version != 2 || res.Duplicate {
		t.Fatalf("append result = %+v, want version 2, not duplicate", res)
	}
	got := readStream(t, s, p+"1")
	if len(got) != 2 {
		t.Fatalf("read %d events, want 2", len(got))
	}
	want := []struct {
		in      eventstore.EventData
		version int64
		data    string
	}{
		{e1, 1, `{"title":"Spielplatz Lindenau","stage":"tender"}`},
		{e2, 2, string(e2.Data)},
	}
	for i, w := range want {
		g := got[i]
		switch {
		case g.ID != w.in.ID:
			t.Errorf("event %d: ID %s, want %s", i, g.ID, w.in.ID)
		case g.Stream != p+"1" || g.Version != w.version:
			t.Errorf("event %d: at %s v%d, want %s v%d", i, g.Stream, g.Version, p+"1", w.version)
		case g.Type != w.in.Type || g.SchemaVersion != w.in.SchemaVersion:
			t.Errorf("event %d: type %s/%d, want %s/%d", i, g.Type, g.SchemaVersion, w.in.Type, w.in.SchemaVersion)
		case string(g.Data) != w.data:
			t.Errorf("event %d: data %s, want %s (compact JSON)", i, g.Data, w.data)
		case g.Metadata != w.in.Metadata:
			t.Errorf("event %d: metadata %+v, want %+v", i, g.Metadata, w.in.Metadata)
		case !g.RecordedAt.Equal(FixedTime) || g.RecordedAt.Location() != FixedTime.Location():
			t.Errorf("event %d: recorded at %v, want the clock's %v in UTC", i, g.RecordedAt, FixedTime)
		case g.Position.IsZero() || g.Hash.IsZero():
			t.Errorf("event %d: position %s hash %s: both must be set", i, g.Position, g.Hash)
		}
	}
	if got[1].Position.Compare(got[0].Position) <= 0 {
		t.Errorf("positions %s, %s are not increasing", got[0].Position, got[1].Position)
	}
	if got[1].Position != res.Position {
		t.Errorf("append reported position %s, the last event is at %s", res.Position, got[1].Position)
	}
	chain := eventstore.NewChainVerifier()
	for _, e := range got {
		if err := chain.Check(e); err != nil {
			t.Fatalf("chain: %v", err)
		}
	}
}

func testExpectedVersion(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"existing", eventstore.NoStream, events("test.happened", 2)...)
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedVersion
		ok       bool
		actual   int64
	}{
		{"any_on_a_missing_stream", "missing-any", eventstore.Any, true, 0},
		{"any_on_an_existing_stream", "existing", eventstore.Any, true, 0},
		{"no_stream_on_a_missing_stream", "missing-nostream", eventstore.NoStream, true, 0},
		{"no_stream_on_an_existing_stream", "existing", eventstore.NoStream, false, 3},
		{"stream_exists_on_a_missing_stream", "missing-exists", eventstore.StreamExists, false, 0},
		{"stream_exists_on_an_existing_stream", "existing", eventstore.StreamExists, true, 0},
		{"exact_zero_on_a_missing_stream", "missing-exact0", eventstore.Exact(0), true, 0},
		{"exact_current_version", "existing", eventstore.Exact(4), true, 0},
		{"exact_older_version", "existing", eventstore.Exact(2), false, 5},
		{"exact_newer_version", "existing", eventstore.Exact(9), false, 5},
		{"exact_version_on_a_missing_stream", "missing-exact5", eventstore.Exact(5), false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(readStream(t, s, p+tc.stream))
			_, err := s.Append(ctxFor(t), p+tc.stream, tc.expected, event("test.happened", 0))
			after := len(readStream(t, s, p+tc.stream))
			if tc.ok {
				if err != nil || after != before+1 {
					t.Fatalf("append: err %v, %d → %d events; want success", err, before, after)
				}
				return
			}
			var ce *eventstore.ConcurrencyError
			if !errors.Is(err, eventstore.ErrConcurrency) || !errors.As(err, &ce) {
				t.Fatalf("append: err %v, want a *ConcurrencyError", err)
			}
			if ce.Actual != tc.actual || after != before {
				t.Fatalf("actual %d, want %d; %d → %d events, want none written", ce.Actual, tc.actual, before, after)
			}
		})
	}
}

func testConflictError(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"x", eventstore.NoStream, events("test.happened", 3)...)
	_, err := s.Append(ctxFor(t), p+"x", eventstore.Exact(1), event("test.happened", 0))
	var ce *eventstore.ConcurrencyError
	if !errors.As(err, &ce) {
		t.Fatalf("err %v, want *ConcurrencyError", err)
	}
	if ce.Stream != p+"x" || ce.Actual != 3 {
		t.Fatalf("conflict %+v, want stream %s actual 3", ce, p+"x")
	}
	if v, ok := ce.Expected.IsExact(); !ok || v != 1 {
		t.Fatalf("conflict expected %s, want 1", ce.Expected)
	}
}

func testConcurrentAppenders(t *testing.T, h *harness) {
	s, p := h.open(t)
	const writers, tries = 8, 25
	stream := p + "contended"
	var mu sync.Mutex
	winners := map[int64]uuid.UUID{}
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range tries {
				last, err := s.ReadStream(ctxFor(t), stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, Limit: 1})
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				var v int64
				if len(last) == 1 {
					v = last[0].Version
				}
				e := event("test.happened", int(v))
				res, err := s.Append(ctxFor(t), stream, eventstore.Exact(v), e)
				switch {
				case errors.Is(err, eventstore.ErrConcurrency):
				case err != nil:
					t.Errorf("append: %v", err)
					return
				default:
					mu.Lock()
					if prev, dup := winners[res.Version]; dup {
						t.Errorf("version %d won twice: %s and %s", res.Version, prev, e.ID)
					}
					winners[res.Version] = e.ID
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	got := readStream(t, s, stream)
	if len(got) != len(winners) {
		t.Fatalf("stream has %d events, %d appends won", len(got), len(winners))
	}
	for i, e := range got {
		if e.Version != int64(i+1) || winners[e.Version] != e.ID {
			t.Fatalf("event %d: version %d ID %s, want version %d by its winner %s", i, e.Version, e.ID, i+1, winners[int64(i+1)])
		}
	}
}

func testNeighbours(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"shared", eventstore.NoStream, event("test.happened", 0))
	const n = 32
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			if i%2 == 0 { // wrong version: must fail alone
				_, errs[i] = s.Append(ctxFor(t), p+"shared", eventstore.Exact(7), event("test.happened", i))
				return
			}
			_, errs[i] = s.Append(ctxFor(t), p+"own-"+uuid.NewString(), eventstore.NoStream, event("test.happened", i))
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if i%2 == 0 && !errors.Is(err, eventstore.ErrConcurrency) {
			t.Errorf("append %d with a wrong version: %v, want a conflict", i, err)
		}
		if i%2 == 1 && err != nil {
			t.Errorf("append %d to its own stream failed beside conflicting ones: %v", i, err)
		}
	}
	if got := len(readPrefix(t, s, p)); got != 1+n/2 {
		t.Errorf("%d events recorded, want %d", got, 1+n/2)
	}
}

func testIdempotentRetry(t *testing.T, h *harness) {
	s, p := h.open(t)
	mustAppend(t, s, p+"exists", eventstore.NoStream, event("test.happened", 0))
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedVersion
		skip     bool
	}{
		{"no_stream", "new", eventstore.NoStream, false},
		{"exact", "exists", eventstore.Exact(1), false},
		{"stream_exists", "exists", eventstore.StreamExists, false},
		{"any", "exists", eventstore.Any, !h.features.IdempotentAny},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("the adapter does not claim idempotent retries with Any")
			}
			evs := events("test.happened", 3)
			first := mustAppend(t, s, p+tc.stream, tc.expected, evs...)
			before := readPrefix(t, s, p)
			again, err := s.Append(ctxFor(t), p+tc.stream, tc.expected, evs...)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if !again.Duplicate || again.Version != first.Version || again.Position != first.Position {
				t.Fatalf("retry result %+v, want %+v marked duplicate", again, first)
			}
			if after := readPrefix(t, s, p); len(after) != len(before) {
				t.Fatalf("retry wrote %d events", len(after)-len(before))
			}
		})
	}
}

func testReusedID(t *testing.T, h *harness) {
	s, p := h.open(t)
	e := event("test.happened", 1)
	mustAppend(t, s, p+"a", eventstore.NoStream, e)
	other := e
	other.Data = []byte(`{"n":2}`)
	_, err := s.Append(ctxFor(t), p+"a", eventstore.Exact(0), other)
	if !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("same ID, other data, same place: %v, want ErrDuplicateEventID", err)
	}
	_, err = s.Append(ctxFor(t), p+"a", eventstore.Any, other)
	if !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("same ID, other data, appended with Any: %v, want ErrDuplicateEventID", err)
	}
	var ie *eventstore.IdempotencyError
	if !errors.As(err, &ie) || ie.EventID != e.ID {
		t.Fatalf("error %v does not name event %s", err, e.ID)
	}
	if h.features.GlobalEventIDs {
		_, err = s.Append(ctxFor(t), p+"b", eventstore.NoStream, e)
		if !errors.Is(err, eventstore.ErrDuplicateEventID) {
			t.Fatalf("same ID in another stream: %v, want ErrDuplicateEventID", err)
		}
	}
	if got := readPrefix(t, s, p); len(got) != 1 || !bytes.Equal(got[0].Data, readStream(t, s, p+"a")[0].Data) {
		t.Fatalf("%d events recorded, want only the first", len(got))
	}
}

func testAtomicBatch(t *testing.T, h *harness) {
	s, p := h.open(t)
	good := events("test.happened", 3)
	bad := event("test.happened", 4)
	bad.Data = []byte(`{"broken":`)
	_, err := s.Append(ctxFor(t), p+"batch", eventstore.Any, append(good, bad)...)
	if !errors.Is(err, eventstore.ErrInvalidInput) {
		t.Fatalf("batch with a bad event: %v, want ErrInvalidInput", err)
	}
	if h.features.GlobalEventIDs {
		existing := event("test.happened", 5)
		mustAppend(t, s, p+"other", eventstore.NoStream, existing)
		changed := existing
		changed.Data = []byte(`{"changed":true}`)
		_, err = s.Append(ctxFor(t), p+"batch", eventstore.Any, append(good, changed)...)
		if !errors.Is(err, eventstore.ErrDuplicateEventID) {
			t.Fatalf("batch with a reused event ID: %v, want ErrDuplicateEventID", err)
		}
	}
	if got := readStream(t, s, p+"batch"); len(got) != 0 {
		t.Fatalf("failed batches left %d events", len(got))
	}
}
