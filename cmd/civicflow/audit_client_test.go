package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI answers the history and past-state endpoints of one process and records the queries.
func fakeAPI(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/processes/p1/history" && r.URL.Query().Get("from") == "1":
			_, _ = w.Write([]byte(`{"items":[{"version":1,"position":"1","type":"process.opened","schema_version":1,"recorded_at":"2025-03-01T09:00:00Z","actor":"anna","data":{"title":"Spielplatz"},"hash":"aa"}],"next":3}`))
		case r.URL.Path == "/api/v1/processes/p1/history":
			_, _ = w.Write([]byte(`{"items":[{"version":3,"position":"7","type":"process.participant_registered","schema_version":1,"recorded_at":"2025-03-02T10:00:00Z","actor":"ben","data":{"group":"citizens","name":{"person":"x","ct":"zz"}},"hash":"bb"}]}`))
		case r.URL.Path == "/api/v1/processes/p1":
			_, _ = w.Write([]byte(`{"id":"p1","tenant":"leipzig","title":"Spielplatz","template":{"id":"beteiligung-standard","version":2},"status":"active","stage":"conception","version":4,
				"approvals":[{"key":"department_head","title":{"de":"Amtsleitung"},"granted":true,"by":"chef"}],"as_of":"2025-03-01T11:00:00Z"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string{}, queries...) }
}

func TestAuditState_prints_the_template_version_and_approvals_then(t *testing.T) {
	srv, queries := fakeAPI(t)
	r := invoke(t, nil, "audit", "state", "p1", "--at", "2025-03-01T12:00:00+01:00", "--server", srv.URL, "--token", "secret")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"beteiligung-standard v2", "Version 4", "Amtsleitung", "chef", "Stand / as of"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if q := queries(); len(q) != 1 || q[0] != "/api/v1/processes/p1?at=2025-03-01T12%3A00%3A00%2B01%3A00" {
		t.Fatalf("queries %v", q)
	}
	for _, args := range [][]string{{"audit", "state", "p1"}, {"audit", "state", "p1", "--at", "gestern"}, {"audit", "state", "p1", "--at", "2025-03-01T12:00:00Z", "--version", "2"}} {
		if r := invoke(t, nil, append(args, "--server", srv.URL, "--token", "secret")...); r.code != exitUsage {
			t.Fatalf("%v: exit %d, want %d", args, r.code, exitUsage)
		}
	}
}

func TestAuditHistory_reads_every_page_with_the_filters_and_exports(t *testing.T) {
	srv, queries := fakeAPI(t)
	base := []string{"audit", "history", "p1", "--server", srv.URL, "--token", "secret", "--actor", "anna", "--type", "process.opened,process.participant_registered", "--from-time", "2025-03-01T00:00:00Z"}
	r := invoke(t, nil, base...)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"anna", "process.opened title=Spielplatz", "ben", "process.participant_registered group=citizens", "2 Ereignisse"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "zz") {
		t.Fatalf("the text output shows sealed data:\n%s", r.stdout)
	}
	q := queries()
	if len(q) != 2 || !strings.Contains(q[0], "actor=anna") || !strings.Contains(q[0], "from_time=2025-03-01T00%3A00%3A00Z") ||
		!strings.Contains(q[0], "type=process.opened%2Cprocess.participant_registered") || !strings.Contains(q[1], "from=3") {
		t.Fatalf("queries %v", q)
	}

	j := invoke(t, nil, append(base, "--format", "json")...)
	var entries []auditEntry
	if err := json.Unmarshal([]byte(j.stdout), &entries); err != nil || len(entries) != 2 || entries[1].Actor != "ben" {
		t.Fatalf("json export: %v %s", err, j.stdout)
	}

	c := invoke(t, nil, append(base, "--format", "csv")...)
	rows, err := csv.NewReader(strings.NewReader(c.stdout)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "version" || rows[1][2] != "anna" || rows[2][3] != "process.participant_registered" {
		t.Fatalf("csv export: %v %q", err, c.stdout)
	}

	if r := invoke(t, nil, append(base, "--format", "xml")...); r.code != exitUsage {
		t.Fatalf("--format xml: exit %d", r.code)
	}
}
