package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/projections/implementation"
	"github.com/civicflow/civicflow/projections/overview"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/stagestats"
)

// withFigures gives a Leipzig process participants, a held session, contributions and two
// measures (one overdue), opens a Menden process, and waits until the read models have applied
// it all. It returns the two processes.
func withFigures(s *server) (leipzig, menden string) {
	s.t.Helper()
	leipzig = s.open("leipzig", "Spielplatz Lindenauer Markt")
	for _, c := range []struct {
		command string
		body    map[string]any
	}{
		{"complete_task", map[string]any{"task": "define_subject", "evidence": "Beschluss 12/2025"}},
		{"register_participant", map[string]any{"group": "citizens", "name": "Erika Mustermann", "email": "erika@example.org"}},
		{"register_participant", map[string]any{"group": "citizens", "name": "Max Mustermann"}},
		{"register_participant", map[string]any{"group": "youth", "name": "Jule"}},
		{"schedule_session", map[string]any{"session": "werkstatt", "title": "Werkstatt", "format": "workshop", "date": "2025-03-02T17:00:00Z", "place": "Rathaus"}},
		{"hold_session", map[string]any{"session": "werkstatt", "attendance": 25}},
		{"record_contribution", map[string]any{"topic": "Spielgeräte", "text": "Eine Nestschaukel"}},
		{"record_contribution", map[string]any{"topic": "Schatten", "text": "Mehr Bäume"}},
		{"define_measure", map[string]any{"title": "Sandkasten erneuern", "owner": "Grünflächenamt"}},
		{"define_measure", map[string]any{"title": "Bänke aufstellen", "owner": "Grünflächenamt", "due": "2025-03-01T00:00:00Z"}},
	} {
		if r := s.call("POST", "/api/v1/processes/"+leipzig+"/"+c.command, "lead@leipzig", c.body); r.status != http.StatusOK {
			s.t.Fatalf("%s: %d %s", c.command, r.status, r.body)
		}
	}
	menden = s.open("menden", "Bündnis für Ausbildung Menden")
	s.readModelsCaughtUp()
	return leipzig, menden
}

// asJSON is v as the generic JSON a client decodes.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAPI_read_model_routes_answer_the_read_models_figures_and_position(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	leipzig, menden := withFigures(s)
	ctx, db, now := context.Background(), s.store.ProjectionReadDB(), s.clock()
	blankOwners := func(res implementation.Result, err error) (any, error) {
		for i := range res.Measures {
			if res.Measures[i].Owner == "" {
				t.Fatalf("measure %s has no owner to blank", res.Measures[i].ID)
			}
			res.Measures[i].Owner = ""
		}
		return res, err
	}
	cases := []struct {
		name, path, who string
		// model is the read model's name; want its own answer to the same question.
		model string
		want  func() (any, error)
		check func(t *testing.T, m map[string]any)
	}{
		{"overview", "/api/v1/overview", "member@leipzig", overview.Name,
			func() (any, error) { return overview.List(ctx, db, overview.Query{Tenant: "leipzig", Now: now}) },
			func(t *testing.T, m map[string]any) {
				rows := m["rows"].([]any)
				row := rows[0].(map[string]any)
				if len(rows) != 1 || row["id"] != leipzig || row["participants"] != 3.0 || row["sessions_held"] != 1.0 ||
					row["contributions"] != 2.0 || row["measures"] != 2.0 {
					t.Fatalf("rows %v", rows)
				}
			}},
		{"overview of every tenant for the installation", "/api/v1/overview", "administrator@*", overview.Name,
			func() (any, error) { return overview.List(ctx, db, overview.Query{Now: now}) },
			func(t *testing.T, m map[string]any) {
				if rows := m["rows"].([]any); len(rows) != 2 {
					t.Fatalf("rows %v, want both tenants' processes", rows)
				}
			}},
		{"overview of one tenant for the installation", "/api/v1/overview?tenant=menden", "administrator@*", overview.Name,
			func() (any, error) { return overview.List(ctx, db, overview.Query{Tenant: "menden", Now: now}) },
			func(t *testing.T, m map[string]any) {
				if rows := m["rows"].([]any); len(rows) != 1 || rows[0].(map[string]any)["id"] != menden {
					t.Fatalf("rows %v, want Menden's process", rows)
				}
			}},
		{"stage statistics", "/api/v1/stats/stages?template=beteiligung-standard", "lead@leipzig", stagestats.Name,
			func() (any, error) {
				return stagestats.List(ctx, db, stagestats.Query{Tenant: "leipzig", Template: "beteiligung-standard"})
			},
			func(t *testing.T, m map[string]any) {
				wip := 0.0
				for _, r := range m["rows"].([]any) {
					row := r.(map[string]any)
					if row["tenant"] != "leipzig" {
						t.Fatalf("row of another tenant: %v", row)
					}
					wip += row["work_in_progress"].(float64)
				}
				if wip != 1 {
					t.Fatalf("%v processes in a stage, want 1: %v", wip, m["rows"])
				}
			}},
		{"participation", "/api/v1/participation", "viewer@leipzig", participation.Name,
			func() (any, error) { return participation.Summary(ctx, db, participation.Query{Tenant: "leipzig"}) },
			func(t *testing.T, m map[string]any) {
				want := map[string]any{
					"groups":        []any{map[string]any{"group": "citizens", "active": 2.0}, map[string]any{"group": "youth", "active": 1.0}},
					"sessions":      []any{map[string]any{"format": "workshop", "scheduled": 1.0, "held": 1.0, "attendance": 25.0}},
					"contributions": []any{map[string]any{"day": "2025-03-03", "contributions": 2.0, "late": 0.0}},
				}
				for k, v := range want {
					if !reflect.DeepEqual(m[k], v) {
						t.Fatalf("%s %v, want %v", k, m[k], v)
					}
				}
			}},
		{"participation of a process", "/api/v1/participation?process=" + leipzig, "lead@leipzig", participation.Name,
			func() (any, error) {
				return participation.Summary(ctx, db, participation.Query{Tenant: "leipzig", Process: leipzig})
			}, nil},
		{"measures", "/api/v1/measures", "lead@leipzig", implementation.Name,
			func() (any, error) {
				return implementation.List(ctx, db, implementation.Query{Tenant: "leipzig", Now: now})
			},
			func(t *testing.T, m map[string]any) {
				measures := m["measures"].([]any)
				overdue := 0
				for _, x := range measures {
					if x.(map[string]any)["owner"] != "Grünflächenamt" {
						t.Fatalf("measure without its owner: %v", x)
					}
					if x.(map[string]any)["overdue"] == true {
						overdue++
					}
				}
				if len(measures) != 2 || overdue != 1 {
					t.Fatalf("measures %v, want 2, one overdue", measures)
				}
			}},
		{"measures of a process for a viewer, without owners", "/api/v1/measures?process=" + leipzig, "viewer@leipzig", implementation.Name,
			func() (any, error) {
				return blankOwners(implementation.List(ctx, db, implementation.Query{Tenant: "leipzig", Process: leipzig, Now: now}))
			}, nil},
		{"timeline", "/api/v1/processes/" + leipzig + "/timeline", "member@leipzig", audit.Name,
			func() (any, error) { return audit.List(ctx, db, audit.Query{Tenant: "leipzig", Process: leipzig}) },
			func(t *testing.T, m map[string]any) {
				entries := m["entries"].([]any)
				first := entries[0].(map[string]any)
				if len(entries) != 11 || first["type"] != "process.opened" || first["actor"] != "lead-leipzig" || first["de"] == "" || first["en"] == "" {
					t.Fatalf("entries %v, want 11 from the opening on", entries)
				}
			}},
		{"timeline, the last two newest first", "/api/v1/processes/" + leipzig + "/timeline?limit=2&newest=true", "auditor@leipzig", audit.Name,
			func() (any, error) {
				return audit.List(ctx, db, audit.Query{Tenant: "leipzig", Process: leipzig, Limit: 2, Newest: true})
			},
			func(t *testing.T, m map[string]any) {
				entries := m["entries"].([]any)
				if len(entries) != 2 || entries[0].(map[string]any)["type"] != "process.measure_defined" {
					t.Fatalf("entries %v, want the last two, newest first", entries)
				}
			}},
		{"timeline of another tenant's process for the installation", "/api/v1/processes/" + menden + "/timeline", "administrator@*", audit.Name,
			func() (any, error) { return audit.List(ctx, db, audit.Query{Process: menden}) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.call("GET", tc.path, tc.who, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			want, err := tc.want()
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, asJSON(t, want)) {
				t.Fatalf("answer %s\nwant the read model's %s", r.body, asJSON(t, want))
			}
			m := r.json(t)
			if pos := s.readModels.Position(tc.model).String(); m["position"] != pos || pos == "0" {
				t.Fatalf("position %v, want the read model's %s", m["position"], pos)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestAPI_read_model_routes_refuse_what_they_must(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	leipzig, _ := withFigures(s)
	for _, tc := range []struct {
		name, path, who string
		status          int
	}{
		{"a viewer reading a timeline", "/api/v1/processes/" + leipzig + "/timeline", "viewer@leipzig", http.StatusForbidden},
		{"the timeline of a missing process", "/api/v1/processes/01959a3c-8f00-7c1e-9a55-3c1d2a4b5e6f/timeline", "lead@leipzig", http.StatusNotFound},
		{"the timeline of another tenant's process", "/api/v1/processes/" + leipzig + "/timeline", "administrator@menden", http.StatusNotFound},
		{"no token", "/api/v1/overview", "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := s.call("GET", tc.path, tc.who, nil); r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	t.Run("another tenant's figures are empty, not forbidden", func(t *testing.T) {
		for path, list := range map[string]string{
			"/api/v1/overview?tenant=leipzig": "rows", "/api/v1/stats/stages?tenant=leipzig": "rows",
			"/api/v1/participation?tenant=leipzig": "groups", "/api/v1/measures?tenant=leipzig": "measures",
			"/api/v1/participation?process=" + leipzig: "groups", "/api/v1/measures?process=" + leipzig: "measures",
		} {
			r := s.call("GET", path, "administrator@menden", nil)
			if r.status != http.StatusOK || len(r.json(t)[list].([]any)) != 0 || r.json(t)["position"] == "0" {
				t.Fatalf("%s for Menden: %d %s", path, r.status, r.body)
			}
		}
	})
}

func TestAPI_read_model_routes_answer_503_without_read_models(t *testing.T) {
	t.Parallel()
	s := newServerOpts(t, serverOpts{noReadModels: true})
	id := s.open("leipzig", "Ohne Lesemodelle")
	for _, path := range []string{"/api/v1/overview", "/api/v1/stats/stages", "/api/v1/participation", "/api/v1/measures",
		"/api/v1/processes/" + id + "/timeline"} {
		r := s.call("GET", path, "administrator@leipzig", nil)
		if r.status != http.StatusServiceUnavailable || code(t, r) != "unavailable" {
			t.Fatalf("%s: %d %s, want 503 unavailable", path, r.status, r.body)
		}
	}
}
