package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// collect reads n events from a new subscription, sleeping now and then when slow is set, so that
// the reader falls behind the store's in-memory tail and must go back to the database.
func collect(ctx context.Context, t *testing.T, s eventstore.Store, f eventstore.Filter, n int, slow bool) <-chan []eventstore.Event {
	t.Helper()
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []eventstore.Event, 1)
	go func() {
		defer sub.Close()
		var got []eventstore.Event
		for len(got) < n {
			e, err := sub.Next(ctx)
			if err != nil {
				t.Errorf("after %d events: %v", len(got), err)
				break
			}
			got = append(got, e)
			if slow && len(got)%500 == 0 {
				time.Sleep(30 * time.Millisecond)
			}
		}
		out <- got
	}()
	return out
}

// Live subscriptions take new events from the store's in-memory tail; what they get must be
// exactly what the database holds, for fast and slow readers (which fall out of the tail), with
// and without filters.
func TestSubscriptions_deliver_exactly_the_log_whether_from_memory_or_database(t *testing.T) {
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "db")})
	// 9,600 appends take a few seconds on a quiet machine; the bound is for a loaded one, whose
	// fsyncs took up to 40 ms at p99 when 60 s ran out (load average 22 on 2 cores).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const appenders, perAppender = 8, 1200 // 9,600 events: more than the tail holds
	filters := map[string]eventstore.Filter{
		"all":     {},
		"odd":     {StreamPrefixes: []string{"process-1", "process-3", "process-5", "process-7"}},
		"by_type": {EventTypes: []string{"process.task_completed"}},
	}
	want := map[string]int{"all": appenders * perAppender, "odd": appenders / 2 * perAppender, "by_type": appenders * perAppender / 2}
	got := map[string]<-chan []eventstore.Event{}
	for name, f := range filters {
		got[name+"/fast"] = collect(ctx, t, s, f, want[name], false)
		got[name+"/slow"] = collect(ctx, t, s, f, want[name], true)
	}
	var wg sync.WaitGroup
	for a := range appenders {
		wg.Go(func() {
			stream := fmt.Sprintf("process-%d", a)
			for i := range perAppender {
				e := benchEvent()
				if i%2 == 1 {
					e.Type = "process.contribution_recorded"
				}
				if _, err := s.Append(ctx, stream, eventstore.Any, e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for name, ch := range got {
		f := filters[strings.Split(name, "/")[0]]
		events := <-ch
		var fromDB []eventstore.Event
		for after := eventstore.Start; ; {
			page, err := s.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 5000, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			fromDB = append(fromDB, page...)
			after = page[len(page)-1].Position
		}
		if len(events) != len(fromDB) {
			t.Fatalf("%s: subscription got %d events, the log has %d", name, len(events), len(fromDB))
		}
		for i := range events {
			if !reflect.DeepEqual(events[i], fromDB[i]) {
				t.Fatalf("%s: event %d differs:\nsubscription %+v\ndatabase     %+v", name, i, events[i], fromDB[i])
			}
		}
	}
}

// Events appended through another connection (another process) are not in this store's tail; a
// subscriber still gets them, in order, between this store's own.
func TestSubscriptions_see_appends_of_another_process_between_their_own(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, sqlite.Config{Path: path, PollInterval: 10 * time.Millisecond})
	other := open(t, sqlite.Config{Path: path, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const rounds = 20
	ch := collect(ctx, t, s, eventstore.Filter{}, 3*rounds, false)
	for i := range rounds {
		for _, st := range []*sqlite.Store{s, other, s} {
			if _, err := st.Append(ctx, fmt.Sprintf("process-%d", i), eventstore.Any, benchEvent()); err != nil {
				t.Fatal(err)
			}
		}
	}
	events := <-ch
	if len(events) != 3*rounds {
		t.Fatalf("got %d events, want %d", len(events), 3*rounds)
	}
	for i, e := range events {
		if e.Position != eventstore.SequencePosition(uint64(i+1)) {
			t.Fatalf("event %d is at position %s, want %d: an event was skipped or repeated", i, e.Position, i+1)
		}
	}
}
