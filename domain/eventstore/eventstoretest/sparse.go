package eventstoretest

import (
	"slices"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// testSparseCategories reads rare categories past many events of another one: every event of
// the selected categories comes back once, in log order, with limits cut across categories, and
// a read after a category's last event is empty however many events of others follow.
func testSparseCategories(t *testing.T, h *harness) {
	s, p := h.open(t)
	base := strings.TrimSuffix(p, "-")
	catA, catB, catC := base+"a-", base+"b-", base+"c-"
	var a, b []uuid.UUID // appended to catA and catB, in log order
	var ab []uuid.UUID   // both, in log order
	add := func(cat string, typ string, to *[]uuid.UUID) {
		e := event(typ, len(ab))
		mustAppend(t, s, cat+uuid.NewString()[:8], eventstore.NoStream, e)
		*to = append(*to, e.ID)
		ab = append(ab, e.ID)
	}
	noise := func(n int) {
		mustAppend(t, s, catC+uuid.NewString()[:8], eventstore.NoStream, events("test.noise", n)...)
	}
	add(catA, "test.noted", &a)
	noise(200)
	add(catB, "test.happened", &b)
	add(catA, "test.happened", &a)
	noise(300)
	add(catB, "test.noted", &b)
	noise(100)
	add(catA, "test.noted", &a)
	noise(250)
	read := func(opts eventstore.ReadAllOptions) []eventstore.Event {
		t.Helper()
		got, err := s.ReadAll(ctxFor(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkOrdered(t, got)
		return got
	}
	cats := func(cs ...string) eventstore.Filter { return eventstore.Filter{StreamPrefixes: cs} }
	all := read(eventstore.ReadAllOptions{Filter: cats(catA, catB)})
	cases := []struct {
		name string
		opts eventstore.ReadAllOptions
		want []uuid.UUID
	}{
		{"one_rare_category", eventstore.ReadAllOptions{Filter: cats(catA)}, a},
		{"two_rare_categories_merged_in_log_order", eventstore.ReadAllOptions{Filter: cats(catB, catA)}, ab},
		{"a_limit_cuts_the_merge", eventstore.ReadAllOptions{Limit: 3, Filter: cats(catA, catB)}, ab[:3]},
		{"after_a_position_in_the_merge", eventstore.ReadAllOptions{After: all[1].Position, Limit: 2, Filter: cats(catA, catB)}, ab[2:4]},
		{"after_the_last_event_of_the_category", eventstore.ReadAllOptions{After: all[len(all)-1].Position, Filter: cats(catA, catB)}, nil},
		{"categories_and_types", eventstore.ReadAllOptions{Filter: eventstore.Filter{StreamPrefixes: []string{catA, catB}, EventTypes: []string{"test.noted"}}}, []uuid.UUID{a[0], b[1], a[2]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(read(tc.opts)); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
