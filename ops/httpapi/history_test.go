package httpapi_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// historyVersions returns the versions of one page and its next version (0: none).
func historyVersions(t *testing.T, r reply) ([]int64, int64) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	m := r.json(t)
	var vs []int64
	for _, it := range m["items"].([]any) {
		vs = append(vs, int64(it.(map[string]any)["version"].(float64)))
	}
	next, _ := m["next"].(float64)
	return vs, int64(next)
}

func TestAPI_history_filters_by_actor_type_and_time_and_pages_the_matches(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Filter") // v1 lead, 2025-03-03 09:00
	base := "/api/v1/processes/" + id
	do := func(who, cmd string, body map[string]any) {
		t.Helper()
		if r := s.call("POST", base+"/"+cmd, who, body); r.status != 200 {
			t.Fatalf("%s: %d %s", cmd, r.status, r.body)
		}
	}
	do("member@leipzig", "complete_task", map[string]any{"task": "define_subject", "evidence": "a"}) // v2
	s.advance(24 * time.Hour)
	do("lead@leipzig", "complete_task", map[string]any{"task": "choose_facilitation", "evidence": "b"}) // v3, 03-04
	do("member@leipzig", "complete_task", map[string]any{"task": "publish_call", "evidence": "c"})      // v4, 03-04
	s.advance(24 * time.Hour)
	do("member@leipzig", "reopen_task", map[string]any{"task": "publish_call", "reason": "falsch"}) // v5, 03-05
	do("lead@leipzig", "suspend", map[string]any{"reason": "Pause"})                                // v6, 03-05

	cases := []struct {
		name  string
		query url.Values
		want  []int64
	}{
		{"no_filter", url.Values{}, []int64{1, 2, 3, 4, 5, 6}},
		{"actor", url.Values{"actor": {"member-leipzig"}}, []int64{2, 4, 5}},
		{"type_comma_separated", url.Values{"type": {"process.task_reopened,process.suspended"}}, []int64{5, 6}},
		{"type_repeated", url.Values{"type": {"process.opened", "process.suspended"}}, []int64{1, 6}},
		{"from_time", url.Values{"from_time": {"2025-03-04T10:00:00+01:00"}}, []int64{3, 4, 5, 6}},
		{"to_time", url.Values{"to_time": {"2025-03-04T10:00:00+01:00"}}, []int64{1, 2, 3, 4}},
		{"time_window_and_actor", url.Values{"from_time": {"2025-03-04T00:00:00Z"}, "to_time": {"2025-03-04T23:59:59Z"}, "actor": {"lead-leipzig"}}, []int64{3}},
		{"from_version_and_type", url.Values{"from": {"3"}, "type": {"process.task_completed"}}, []int64{3, 4}},
		{"nothing_matches", url.Values{"actor": {"nobody"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, next := historyVersions(t, s.call("GET", base+"/history?"+tc.query.Encode(), "auditor@leipzig", nil))
			if !slices.Equal(got, tc.want) || next != 0 {
				t.Fatalf("versions %v next %d, want %v", got, next, tc.want)
			}
		})
	}
	t.Run("pages_count_only_matching_events", func(t *testing.T) {
		var all []int64
		from := int64(1)
		for pages := 0; from != 0; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			q := url.Values{"actor": {"member-leipzig"}, "limit": {"2"}, "from": {strconv.FormatInt(from, 10)}}
			got, next := historyVersions(t, s.call("GET", base+"/history?"+q.Encode(), "auditor@leipzig", nil))
			if len(got) > 2 {
				t.Fatalf("page of %d, want at most 2", len(got))
			}
			all, from = append(all, got...), next
		}
		if want := []int64{2, 4, 5}; !slices.Equal(all, want) {
			t.Fatalf("paged versions %v, want %v", all, want)
		}
	})
	t.Run("bad_values_name_the_field", func(t *testing.T) {
		for _, c := range []struct{ query, code, field string }{
			{"from_time=gestern", "bad_date", "from_time"},
			{"to_time=2025-13-01", "bad_date", "to_time"},
			{"from_time=2025-03-05T00:00:00Z&to_time=2025-03-04T00:00:00Z", "bad_query", "to_time"},
			{"from=0", "bad_query", "from"},
			{"limit=5000", "bad_query", "limit"},
		} {
			r := s.call("GET", base+"/history?"+c.query, "auditor@leipzig", nil)
			if r.status != 400 || code(t, r) != c.code || r.json(t)["field"] != c.field {
				t.Fatalf("%s: %d %s, want 400 %s %s", c.query, r.status, r.body, c.code, c.field)
			}
		}
	})
}
