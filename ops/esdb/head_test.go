package esdb_test

import (
	"errors"
	"slices"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/esdb"
)

// backwards reads log (oldest first) as $all read backwards does: newest first, at most page
// events, from the end or from before, the event at before included (as the server may).
func backwards(log []*client.RecordedEvent, page int, reads *int) func(eventstore.Position) ([]*client.RecordedEvent, error) {
	return func(before eventstore.Position) ([]*client.RecordedEvent, error) {
		*reads++
		var out []*client.RecordedEvent
		for _, r := range slices.Backward(log) {
			pos := eventstore.NewPosition(r.Position.Commit, r.Position.Prepare)
			if !before.IsZero() && pos.Compare(before) > 0 {
				continue
			}
			if out = append(out, r); len(out) == page {
				break
			}
		}
		return out, nil
	}
}

// system returns n system events at positions after the last of log.
func system(log []*client.RecordedEvent, n int) []*client.RecordedEvent {
	next := uint64(0)
	if len(log) > 0 {
		next = log[len(log)-1].Position.Commit
	}
	out := slices.Clone(log)
	for range n {
		next += 10
		out = append(out, &client.RecordedEvent{EventType: "$statsCollected", StreamID: "$stats-127.0.0.1:2113",
			Position: client.Position{Commit: next, Prepare: next}})
	}
	return out
}

func TestHead_is_the_last_civicflow_event(t *testing.T) {
	civic := recorded("process-1", propose(t, "process-1", 5)) // positions 100…500
	damaged := recorded("process-1", propose(t, "process-1", 1))
	damaged[0].UserMetadata = []byte(`{"civicflow":1,"hash":"zz"}`)
	at := func(p uint64) eventstore.Position { return eventstore.NewPosition(p, p) }
	cases := []struct {
		name  string
		log   []*client.RecordedEvent
		page  int
		want  eventstore.Position
		reads int // at most
	}{
		{name: "empty_log_is_start", log: nil, page: 4, want: eventstore.Start, reads: 1},
		{name: "only_system_events_is_start", log: system(nil, 9), page: 4, want: eventstore.Start, reads: 4},
		{name: "civicflow_event_last", log: civic, page: 4, want: at(500), reads: 1},
		{name: "system_events_after_it_are_passed_over", log: system(civic, 3), page: 4, want: at(500), reads: 1},
		{name: "found_on_a_later_page", log: system(civic, 10), page: 4, want: at(500), reads: 4},
		{name: "a_damaged_event_is_still_the_head", log: damaged, page: 4, want: at(100), reads: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reads := 0
			got, err := esdb.LastCivicflow(backwards(tc.log, tc.page, &reads), tc.page)
			if err != nil || got != tc.want {
				t.Fatalf("head = %v, %v; want %v", got, err, tc.want)
			}
			if reads > tc.reads {
				t.Errorf("%d reads, want at most %d", reads, tc.reads)
			}
		})
	}
	t.Run("a_read_error_is_returned", func(t *testing.T) {
		boom := errors.New("unavailable")
		if _, err := esdb.LastCivicflow(func(eventstore.Position) ([]*client.RecordedEvent, error) { return nil, boom }, 4); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	})
}
