package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/postgres"
	"github.com/google/uuid"
)

// TestGlobalOrder_followers_never_skip_an_event: 16 writers append concurrently (through two
// Stores on the same schema, as two instances would) while three followers read the log with
// "position > last seen" as fast as they can, and one catch-up subscription follows. Every
// follower must see every acknowledged event exactly once, in position order, with no gap: a
// follower that saw N+1 before a late-committing N would miss N forever.
func TestGlobalOrder_followers_never_skip_an_event(t *testing.T) {
	a := open(t, postgres.Config{})
	b, err := postgres.New(context.Background(), postgres.Config{URL: a.URL(), Schema: a.Schema()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const writers, appendsEach = 16, 40
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan struct{})
	type seen struct {
		name string
		ids  []uuid.UUID
		err  error
	}
	results := make(chan seen, 4)
	for f := range 3 {
		go func() {
			var got seen
			got.name = fmt.Sprintf("poller %d", f)
			after := eventstore.Start
			var last uint64
			finished := false
			for {
				page, err := a.ReadAll(ctx, eventstore.ReadAllOptions{After: after, Limit: 37})
				if err != nil {
					got.err = err
					break
				}
				for _, e := range page {
					if p := e.Position.Commit(); p != last+1 {
						got.err = fmt.Errorf("saw position %d after %d: a gap", p, last)
					}
					last = e.Position.Commit()
					got.ids = append(got.ids, e.ID)
					after = e.Position
				}
				if got.err != nil || (finished && len(page) == 0) {
					break
				}
				select {
				case <-done:
					finished = true
				default:
				}
			}
			results <- got
		}()
	}
	sub, err := b.Subscribe(ctx, eventstore.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	acked := make(chan uuid.UUID, writers*appendsEach*2)
	for w := range writers {
		store := a
		if w%2 == 1 {
			store = b
		}
		wg.Go(func() {
			stream := fmt.Sprintf("order-%d", w)
			for i := range appendsEach {
				evs := make([]eventstore.EventData, 1+i%2)
				for j := range evs {
					evs[j] = eventstore.EventData{ID: eventstore.NewEventID(), Type: "test.ordered", SchemaVersion: 1, Data: []byte(`{}`)}
				}
				if _, err := store.Append(ctx, stream, eventstore.Any, evs...); err != nil {
					t.Error(err)
					return
				}
				for _, e := range evs {
					acked <- e.ID
				}
			}
		})
	}
	wg.Wait()
	close(done)
	close(acked)
	want := map[uuid.UUID]bool{}
	for id := range acked {
		want[id] = true
	}
	var subIDs []uuid.UUID
	for len(subIDs) < len(want) {
		e, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("subscription after %d events: %v", len(subIDs), err)
		}
		subIDs = append(subIDs, e.ID)
	}
	check := func(name string, ids []uuid.UUID) {
		if len(ids) != len(want) {
			t.Errorf("%s saw %d events, %d were acknowledged", name, len(ids), len(want))
		}
		once := map[uuid.UUID]bool{}
		for _, id := range ids {
			if !want[id] || once[id] {
				t.Errorf("%s saw %s, which is unknown or seen twice", name, id)
			}
			once[id] = true
		}
	}
	check("the subscription", subIDs)
	for range 3 {
		got := <-results
		if got.err != nil {
			t.Errorf("%s: %v", got.name, got.err)
		}
		check(got.name, got.ids)
	}
}
