package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
)

// Each Store's writer decides appends from the stream heads it knows (its own commits) and falls
// back to looking them up when the database refuses (another instance appended, an event ID is
// recorded, another instance's clock is ahead). These steps alternate between two Stores on one
// schema so that every such case happens, and each append must get exactly the answer a Store
// that looked everything up would give.
func TestAppend_through_two_instances_decides_as_with_lookups(t *testing.T) {
	ctx := context.Background()
	ahead := func() time.Time { return time.Now().Add(time.Hour) }
	a := open(t, postgres.Config{Clock: ahead})
	b, err := postgres.New(ctx, postgres.Config{URL: a.URL(), Schema: a.Schema()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := postgres.New(ctx, postgres.Config{URL: a.URL(), Schema: a.Schema()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := make([]eventstore.EventData, 8)
	for i := range e {
		e[i] = benchEvent()
	}
	conflict := func(err error) bool { var c *eventstore.ConcurrencyError; return errors.As(err, &c) }
	steps := []struct {
		name     string
		store    *postgres.Store
		stream   string
		expected eventstore.ExpectedVersion
		event    eventstore.EventData
		version  int64 // 0: the append fails
		dup      bool
		fails    func(error) bool
	}{
		{"a starts the stream", a, "s-1", eventstore.NoStream, e[0], 1, false, nil},
		{"b, which never saw it, continues it", b, "s-1", eventstore.Exact(1), e[1], 2, false, nil},
		{"a's head is stale: exact version", a, "s-1", eventstore.Exact(2), e[2], 3, false, nil},
		{"a knows the head now", a, "s-1", eventstore.Any, e[3], 4, false, nil},
		{"b's head is stale: any version", b, "s-1", eventstore.Any, e[4], 5, false, nil},
		{"b's head is stale: conflict names the true version", b, "s-1", eventstore.Exact(3), e[5], 0, false, conflict},
		{"retry through the other store", b, "s-1", eventstore.NoStream, e[0], 1, true, nil},
		{"retry with any through a stale head", a, "s-1", eventstore.Any, e[4], 5, true, nil},
		{"a starts another stream", a, "t-1", eventstore.Any, e[6], 1, false, nil},
		{"b retries it, taking the stream for empty", b, "t-1", eventstore.Any, e[6], 1, true, nil},
		{"c, whose clock is behind and who never read the log, starts a stream", c, "u-1", eventstore.NoStream, e[7], 1, false, nil},
	}
	var last eventstore.Position
	for _, st := range steps {
		res, err := st.store.Append(ctx, st.stream, st.expected, st.event)
		if st.version == 0 {
			if !st.fails(err) {
				t.Fatalf("%s: got %v, %v; want it to fail", st.name, res, err)
			}
			var c *eventstore.ConcurrencyError
			if errors.As(err, &c) && c.Actual != 5 {
				t.Errorf("%s: conflict names version %d, want 5", st.name, c.Actual)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Version != st.version || res.Duplicate != st.dup {
			t.Errorf("%s: version %d duplicate %t, want %d %t", st.name, res.Version, res.Duplicate, st.version, st.dup)
		}
		if !st.dup {
			if res.Position.Commit() != last.Commit()+1 {
				t.Errorf("%s: position %s after %s", st.name, res.Position, last)
			}
			last = res.Position
		}
	}
	all, err := b.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 {
		t.Fatalf("the log holds %d events, want 7", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].RecordedAt.Before(all[i-1].RecordedAt) {
			t.Errorf("event %d recorded at %s, before event %d at %s", i+1, all[i].RecordedAt, i, all[i-1].RecordedAt)
		}
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatalf("verify: %v", err)
	}
}
