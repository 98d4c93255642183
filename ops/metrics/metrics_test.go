package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/throttle"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/tokens"
)

type harness struct {
	t      *testing.T
	url    string
	tokens map[string]string
	m      *metrics.Metrics
	mu     sync.Mutex
	now    time.Time
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, tokens: map[string]string{}, now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	clock := h.clock
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: clock, Snapshots: store.Snapshots()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PublishSeeds(ctx, process.Meta{Actor: process.Actor{User: "system", Role: "administrator", Tenant: "*", Installation: true}}); err != nil {
		t.Fatal(err)
	}
	reg := tokens.New(store, clock)
	for _, role := range []string{"lead", "viewer"} {
		secret, _, err := reg.Create(ctx, "leipzig", role+"-leipzig", role)
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[role] = secret
	}
	list := processlist.New()
	done := make(chan struct{})
	go func() { list.Run(ctx, store); close(done) }()
	processEvents := eventstore.Filter{StreamPrefixes: []string{"process-"}}
	readModels := []metrics.Followed{
		{Name: "behind", Filter: processEvents, Position: func() eventstore.Position { return eventstore.Start }},
		{Name: "current", Filter: processEvents, Position: func() eventstore.Position {
			head, _ := store.Head(context.Background())
			return head
		}},
	}
	h.m, err = metrics.New(metrics.Config{List: list, Store: store, ReadModels: readModels, Appended: func() int64 { return store.Stats().Events }, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	store.ObserveWriteLock(h.m.ObserveWriteLock)
	guard, err := throttle.New(throttle.Config{Observer: h.m, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	api, err := httpapi.New(httpapi.Config{Engine: eng, Store: store, Tokens: reg, List: list, Metrics: h.m, Guard: guard})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h.m.Handler())
	mux.Handle("/", api)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		store.Close()
	})
	h.url = ts.URL
	return h
}

// call sends a request as who and returns the status and the decoded JSON body.
func (h *harness) call(method, path, who string, body any, headers ...string) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+h.tokens[who])
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// series returns every sample of a family as "label=value,…" → value.
func (h *harness) series(name string) map[string]float64 {
	h.t.Helper()
	fams, err := h.m.Gatherer().Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			out[labels(m)] = value(m)
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	const title = "Beteiligung Spielplatz Lindenauer Markt"
	open := map[string]any{"template": "beteiligung-standard", "title": title}
	status, body := h.call("POST", "/api/v1/processes", "lead", open, "Idempotency-Key", "k1")
	if status != http.StatusCreated {
		t.Fatalf("open: %d %v", status, body)
	}
	id := body["process"].(string)
	h.call("POST", "/api/v1/processes", "lead", open, "Idempotency-Key", "k1")
	h.call("POST", "/api/v1/processes", "viewer", open)
	h.call("POST", "/api/v1/processes/"+id+"/advance", "lead", nil)
	h.call("POST", "/api/v1/processes/"+id+"/cancel", "lead", map[string]any{"reason": 7})
	h.call("POST", "/api/v1/processes/"+uuid.NewString()+"/advance", "lead", nil)
	h.call("POST", "/api/v1/processes/"+id+"/advance", "lead", nil, "If-Match", `"99"`)
	h.call("POST", "/api/v1/processes/"+id+"/no_such_command", "lead", nil)
	status, opened2 := h.call("POST", "/api/v1/processes", "lead", open)
	if status != http.StatusCreated {
		t.Fatalf("second open: %d", status)
	}
	h.advance(10 * 24 * time.Hour)
	if status, body := h.call("POST", "/api/v1/processes/"+opened2["process"].(string)+"/cancel", "lead", map[string]any{"reason": "gestoppt"}); status != http.StatusOK {
		t.Fatalf("cancel: %d %v", status, body)
	}

	t.Run("counts_commands_by_name_and_result", func(t *testing.T) {
		want := map[string]float64{
			"command=open,result=ok":           2,
			"command=open,result=duplicate":    1,
			"command=open,result=forbidden":    1,
			"command=advance,result=refused":   1,
			"command=cancel,result=invalid":    1,
			"command=advance,result=not_found": 1,
			"command=advance,result=conflict":  1,
			"command=cancel,result=ok":         1,
		}
		got := h.series(metrics.NameCommands)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s{%s} = %v, want %v (all: %v)", metrics.NameCommands, k, got[k], v, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("series %v, want exactly %v", got, want)
		}
		if n := h.series(metrics.NameCommandDuration)["command=advance"]; n != 3 {
			t.Errorf("advance latency observations = %v, want 3", n)
		}
	})
	t.Run("counts_processes_by_tenant_template_stage_status", func(t *testing.T) {
		got := h.series(metrics.NameProcesses)
		want := map[string]float64{
			"stage=tender,status=active,template=beteiligung-standard,tenant=leipzig":    1,
			"stage=tender,status=cancelled,template=beteiligung-standard,tenant=leipzig": 1,
		}
		if !equal(got, want) {
			t.Errorf("processes = %v, want %v", got, want)
		}
	})
	t.Run("observes_a_stay_when_a_process_leaves_its_stage", func(t *testing.T) {
		got := h.series(metrics.NameStageDuration)
		if got["stage=tender,template=beteiligung-standard"] != 1 {
			t.Errorf("stage durations = %v", got)
		}
	})
	t.Run("reports_events_and_no_lag_when_caught_up", func(t *testing.T) {
		if n := h.series(metrics.NameEventsAppended)[""]; n < 3 {
			t.Errorf("events appended = %v, want at least 3", n)
		}
		lag := h.series(metrics.NameProjectionLag)["projection=processlist"]
		age := h.series(metrics.NameProjectionLagAge)["projection=processlist"]
		if lag != 0 || age != 0 {
			t.Errorf("lag %v events, %v s; want 0", lag, age)
		}
	})
	t.Run("reports_each_read_models_lag", func(t *testing.T) {
		lag, age := h.series(metrics.NameProjectionLag), h.series(metrics.NameProjectionLagAge)
		if lag["projection=current"] != 0 || age["projection=current"] != 0 {
			t.Errorf("a current read model lags %v events, %v s", lag["projection=current"], age["projection=current"])
		}
		if lag["projection=behind"] < 3 || age["projection=behind"] < 10*24*60*60 {
			t.Errorf("a read model that applied nothing lags %v events, %v s; want the log and the age of its first process event", lag["projection=behind"], age["projection=behind"])
		}
	})
	t.Run("no_label_value_is_a_process_id_or_title", func(t *testing.T) {
		fams, err := h.m.Gatherer().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if _, err := uuid.Parse(l.GetValue()); err == nil || l.GetValue() == title || strings.Contains(l.GetValue(), "leipzig-") {
						t.Errorf("%s has label %s=%q", f.GetName(), l.GetName(), l.GetValue())
					}
				}
			}
		}
	})
	t.Run("serves_every_name_over_http", func(t *testing.T) {
		resp, err := http.Get(h.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, name := range metrics.Names() {
			if !strings.Contains(string(b), "\n# TYPE "+name+" ") {
				t.Errorf("/metrics lacks %s", name)
			}
		}
	})
}

func equal(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestMetrics_counts_failed_authentication_by_surface_and_reason(t *testing.T) {
	h := newHarness(t)
	h.tokens["wrong"] = "cf_aaaaaaaa_wrong"
	h.tokens["none"] = ""
	for range 2 {
		h.call("GET", "/api/v1/processes", "wrong", nil)
	}
	h.call("GET", "/api/v1/processes", "none", nil)
	h.call("GET", "/api/v1/processes", "lead", nil)
	got := h.series(metrics.NameAuthFailures)
	want := map[string]float64{}
	for _, surface := range []string{"api", "web"} {
		for _, reason := range throttle.Reasons() {
			want["reason="+reason+",surface="+surface] = 0
		}
	}
	want["reason=invalid,surface=api"], want["reason=missing,surface=api"] = 2, 1
	if !equal(got, want) {
		t.Fatalf("%s = %v, want %v", metrics.NameAuthFailures, got, want)
	}
}

func TestMetrics_times_the_write_lock_by_holder(t *testing.T) {
	h := newHarness(t)
	status, body := h.call("POST", "/api/v1/processes", "lead", map[string]any{"template": "beteiligung-standard", "title": "Sperre"})
	if status != http.StatusCreated {
		t.Fatalf("open: %d %v", status, body)
	}
	got := h.series(metrics.NameWriteLock)
	if got["holder=events"] < 1 {
		t.Fatalf("%s = %v, want an observation of the event writer (the open)", metrics.NameWriteLock, got)
	}
}

func TestNew_reports_every_missing_field(t *testing.T) {
	_, err := metrics.New(metrics.Config{})
	if err == nil || !strings.Contains(err.Error(), "List") || !strings.Contains(err.Error(), "Store") {
		t.Fatalf("err = %v", err)
	}
}

func TestNames_are_sorted_and_prefixed(t *testing.T) {
	names := metrics.Names()
	if !slices.IsSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "civicflow_") {
			t.Errorf("%s lacks the civicflow_ prefix", n)
		}
	}
}
