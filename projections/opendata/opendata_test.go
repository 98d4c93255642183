package opendata_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/projections/opendata"
	"github.com/civicflow/civicflow/projections/opendata/opendatatest"
	"github.com/civicflow/civicflow/projections/participation"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/projections/projectiontest"
)

// fixture is the shared history (two processes, Leipzig's and Menden's) with Leipzig's marked
// public and Menden's marked public and private again, read by a process list and the
// participation read model.
func fixture(t *testing.T) (*sqlite.Store, *processlist.List) {
	t.Helper()
	s, clock := projectiontest.Open(t, t.TempDir())
	projectiontest.Append(t, s, clock, "../projectiontest/testdata/history.jsonl")
	projectiontest.Append(t, s, clock, "testdata/public.jsonl")
	projectiontest.CatchUp(t, s, participation.Projection{})
	list := processlist.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = list.Run(ctx, s); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if err := list.CatchUp(ctx, s); err != nil {
		t.Fatal(err)
	}
	return s, list
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// TestBuild_figures_of_a_public_process: every figure of Leipzig's public process, counted by
// hand from the history, and the metadata.
func TestBuild_figures_of_a_public_process(t *testing.T) {
	s, list := fixture(t)
	ds, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: "leipzig", BaseURL: "https://b.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := opendata.Process{
		ID: "0190a000-0000-7000-8000-000000000001", Title: "Spielplatz Lindenau", Programme: "Leipzig 2024", Template: "test", TemplateVersion: 1,
		Status: "active", Stage: "execution", OpenedAt: at("2024-05-02T08:00:00Z"), StageEnteredAt: at("2024-06-10T09:30:00Z"),
		Stages: []opendata.Stage{
			{Stage: "tender", Entered: at("2024-05-02T08:00:00Z"), Left: ptr(at("2024-06-10T09:30:00Z"))},
			{Stage: "execution", Entered: at("2024-06-10T09:30:00Z")},
		},
		// x3 of the citizens withdrew.
		Participants: []participation.Group{{Group: "citizens", Active: 1}, {Group: "youth", Active: 1}},
		Sessions:     []participation.Format{{Format: "walk", Scheduled: 1}, {Format: "workshop", Scheduled: 1, Held: 1, Attendance: 42}},
		// The late contribution was recorded the next morning.
		Contributions:      []participation.Day{{Day: "2024-06-20", Contributions: 2}, {Day: "2024-06-21", Contributions: 1, Late: 1}},
		ContributionsTotal: 3,
		Measures: []opendata.Measure{
			{ID: "m1", Title: "Sonnensegel", Due: ptr(at("2024-09-01T00:00:00Z")), Status: "in_progress", Progress: 40},
			{ID: "m2", Title: "Wasserspiel", Status: "done", Progress: 100},
		},
		MeasuresProgress: 70,
	}
	if len(ds.Processes) != 1 || !reflect.DeepEqual(ds.Processes[0], want) {
		t.Fatalf("processes:\n%+v\nwant\n%+v", ds.Processes, want)
	}
	if ds.License != "http://dcat-ap.de/def/licenses/dl-by-de/2.0" || ds.Publisher.Name != "leipzig" || ds.Type != "dcat:Dataset" {
		t.Errorf("metadata: %+v", ds)
	}
	if ds.Modified == nil || !ds.Modified.Equal(at("2024-09-10T08:00:00Z")) {
		t.Errorf("modified %v, want when it was made public", ds.Modified)
	}
	if ds.Temporal == nil || !ds.Temporal.Start.Equal(at("2024-05-02T08:00:00Z")) || !ds.Temporal.End.Equal(*ds.Modified) {
		t.Errorf("temporal %+v", ds.Temporal)
	}
	if len(ds.Distributions) != 2 || ds.Distributions[1].AccessURL != "https://b.example/api/v1/opendata/leipzig?format=csv" {
		t.Errorf("distributions %+v", ds.Distributions)
	}
	validate(t, ds)
}

// TestBuild_leaves_out_private_processes_and_unknown_tenants: a process made private again is not
// exported (but dates the change), a tenant without processes is unknown.
func TestBuild_leaves_out_private_processes_and_unknown_tenants(t *testing.T) {
	s, list := fixture(t)
	ds, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: "menden"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Processes) != 0 || ds.Temporal != nil {
		t.Errorf("menden's private process was exported: %+v", ds.Processes)
	}
	if ds.Modified == nil || !ds.Modified.Equal(at("2024-09-12T08:00:00Z")) {
		t.Errorf("modified %v, want when it was made private", ds.Modified)
	}
	validate(t, ds)
	for _, tenant := range []string{"bonn", "", "*"} {
		if _, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: tenant}); !errors.Is(err, opendata.ErrUnknownTenant) {
			t.Errorf("tenant %q: err %v, want ErrUnknownTenant", tenant, err)
		}
	}
}

// TestBuild_carries_no_personal_data: neither JSON nor CSV holds a user, a person or participant
// ID, a sealed name, a contribution's text, a session's title or place, a measure's owner or a
// reason. ("Wasserspiel" is a measure's title too, so it is not looked for.)
func TestBuild_carries_no_personal_data(t *testing.T) {
	s, list := fixture(t)
	ds, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: "leipzig"})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(ds)
	var csvOut bytes.Buffer
	if err := ds.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"anna", "ines", "carla", "dirk", `"ben"`, "leipzig:p1", "leipzig:p2", "x1", "x2", "x3", "c2VhbGVk",
		"Mehr Schatten", "Zukunftswerkstatt", "Ortsbegehung", "Stadtteilzentrum", "Grünflächenamt", "moved away", "Amtsblatt"} {
		for name, out := range map[string][]byte{"JSON": js, "CSV": csvOut.Bytes()} {
			if bytes.Contains(out, []byte(secret)) {
				t.Errorf("the %s export holds %q", name, secret)
			}
		}
	}
}

// TestWriteCSV_one_row_per_figure: the header and the rows of the figures counted above.
func TestWriteCSV_one_row_per_figure(t *testing.T) {
	s, list := fixture(t)
	ds, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: "leipzig"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := ds.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "process_id,process_title,template,template_version,status,stage,opened_at,closed_at,figure,key,date,value" {
		t.Fatalf("header %v", rows[0])
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] != "0190a000-0000-7000-8000-000000000001" || r[2] != "test" || r[5] != "execution" || r[6] != "2024-05-02T08:00:00Z" || r[7] != "" {
			t.Errorf("row %v", r)
		}
		got[r[8]+"|"+r[9]+"|"+r[10]] = r[11]
	}
	for k, v := range map[string]string{
		"stage_entered|tender|2024-05-02T08:00:00Z": "1", "stage_left|tender|2024-06-10T09:30:00Z": "1",
		"stage_entered|execution|2024-06-10T09:30:00Z": "2", "participants|citizens|": "1", "participants|youth|": "1",
		"sessions_held|workshop|": "1", "session_attendance|workshop|": "42", "sessions_scheduled|walk|": "1",
		"contributions||2024-06-20": "2", "contributions_late||2024-06-21": "1", "contributions_total||": "3",
		"measure_progress|m1|2024-09-01T00:00:00Z": "40", "measure_status|m2|": "done", "measure_title|m1|2024-09-01T00:00:00Z": "Sonnensegel",
		"measures_progress||": "70",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// validate checks the dataset's JSON against the embedded JSON Schema.
func validate(t *testing.T, ds opendata.Dataset) {
	t.Helper()
	b, _ := json.Marshal(ds)
	opendatatest.Validate(t, opendata.Schema, b)
}

// TestSchema_refuses_a_personal_field: the schema is closed, so an export that carried a
// participant's name would fail validation.
func TestSchema_refuses_a_personal_field(t *testing.T) {
	s, list := fixture(t)
	ds, err := opendata.Build(context.Background(), list, s.ProjectionReadDB(), opendata.Options{Tenant: "leipzig"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ds)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["processes"].([]any)[0].(map[string]any)["participants"].([]any)[0].(map[string]any)["name"] = "Erika Mustermann"
	b, _ = json.Marshal(m)
	err = opendatatest.Check(opendata.Schema, b)
	if err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("the schema accepted a participant's name: %v", err)
	}
}

// TestBuild_is_the_same_after_a_restart_from_the_list_snapshot: the public marks and their dates
// are part of the process list's snapshot, so a server restarted from it exports the same.
func TestBuild_is_the_same_after_a_restart_from_the_list_snapshot(t *testing.T) {
	s, list := fixture(t)
	ctx := context.Background()
	if err := list.Save(ctx, s.Snapshots()); err != nil {
		t.Fatal(err)
	}
	restarted := processlist.New()
	if n, err := restarted.Restore(ctx, s.Snapshots(), s); err != nil || n != 2 {
		t.Fatalf("restored %d processes: %v", n, err)
	}
	for _, tenant := range []string{"leipzig", "menden"} {
		before, err1 := opendata.Build(ctx, list, s.ProjectionReadDB(), opendata.Options{Tenant: tenant})
		after, err2 := opendata.Build(ctx, restarted, s.ProjectionReadDB(), opendata.Options{Tenant: tenant})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(before, after) {
			t.Errorf("%s: the export changed across the restart (%v, %v):\n%+v\n%+v", tenant, err1, err2, before, after)
		}
	}
}
