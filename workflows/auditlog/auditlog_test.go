package auditlog_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/auditlog"
	"github.com/civicflow/civicflow/workflows/auditlog/auditlogtest"
)

var at = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *sqlite.Store {
	t.Helper()
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func TestRecorder(t *testing.T) {
	auditor := process.Actor{User: "auditor-leipzig", Tenant: "leipzig", Role: "auditor"}

	t.Run("records_auditors_only", func(t *testing.T) {
		rec, _ := auditlog.New(auditlog.Config{Store: newStore(t)})
		for role, want := range map[string]bool{"auditor": true, "administrator": false, "lead": false, "member": false, "viewer": false} {
			if got := rec.Records(process.Actor{User: "u", Tenant: "leipzig", Role: role}); got != want {
				t.Errorf("%s: Records = %v", role, got)
			}
		}
	})

	t.Run("appends_one_event_keeping_only_the_audited_query", func(t *testing.T) {
		store := newStore(t)
		rec, _ := auditlog.New(auditlog.Config{Store: store, Clock: func() time.Time { return at }})
		q := url.Values{"version": {"3"}, "access_token": {"geheim"}, "actor": {"anna"}, "lang": {"en"}, "stage": {"tender"}}
		if err := rec.Record(context.Background(), auditor, auditlog.Read{Path: "/api/v1/processes/p", Query: q, Process: "p"}); err != nil {
			t.Fatal(err)
		}
		got := auditlogtest.Accesses(t, store, "leipzig")
		want := auditlog.Accessed{User: "auditor-leipzig", Path: "/api/v1/processes/p", Query: "stage=tender&version=3", Process: "p", At: at}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("recorded %+v, want %+v", got, want)
		}
	})

	t.Run("records_method_and_status_unless_GET_and_200", func(t *testing.T) {
		cases := []struct {
			name     string
			read     auditlog.Read
			wantJSON string
		}{
			{"an answered GET", auditlog.Read{Method: "GET", Path: "/p", Status: 200},
				`{"user":"auditor-leipzig","path":"/p","process":"","at":"2025-03-03T09:00:00Z"}`},
			{"a read without method and status", auditlog.Read{Path: "/p"},
				`{"user":"auditor-leipzig","path":"/p","process":"","at":"2025-03-03T09:00:00Z"}`},
			{"an answered POST", auditlog.Read{Method: "POST", Path: "/p/verify", Process: "p", Status: 200},
				`{"user":"auditor-leipzig","path":"/p/verify","process":"p","at":"2025-03-03T09:00:00Z","method":"POST"}`},
			{"a refused POST", auditlog.Read{Method: "POST", Path: "/p/suspend", Process: "p", Status: 403},
				`{"user":"auditor-leipzig","path":"/p/suspend","process":"p","at":"2025-03-03T09:00:00Z","method":"POST","status":403}`},
			{"a refused GET", auditlog.Read{Method: "GET", Path: "/p", Query: url.Values{"at": {"gestern"}}, Status: 400},
				`{"user":"auditor-leipzig","path":"/p","query":"at=gestern","process":"","at":"2025-03-03T09:00:00Z","status":400}`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				store := newStore(t)
				rec, _ := auditlog.New(auditlog.Config{Store: store, Clock: func() time.Time { return at }})
				if err := rec.Record(context.Background(), auditor, c.read); err != nil {
					t.Fatal(err)
				}
				events, err := store.ReadStream(context.Background(), auditlog.Stream("leipzig"), eventstore.ReadStreamOptions{})
				if err != nil || len(events) != 1 {
					t.Fatalf("%d events, %v", len(events), err)
				}
				if got := string(events[0].Data); got != c.wantJSON || events[0].SchemaVersion != 1 {
					t.Fatalf("recorded v%d %s\nwant v1 %s", events[0].SchemaVersion, got, c.wantJSON)
				}
			})
		}
	})

	t.Run("a_refused_append_is_ErrNotRecorded", func(t *testing.T) {
		rec, _ := auditlog.New(auditlog.Config{Store: auditlogtest.Refusing(newStore(t))})
		err := rec.Record(context.Background(), auditor, auditlog.Read{Path: "/"})
		if !errors.Is(err, auditlog.ErrNotRecorded) || !errors.Is(err, auditlogtest.ErrRefused) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("config_without_a_store_is_refused", func(t *testing.T) {
		if _, err := auditlog.New(auditlog.Config{Timeout: -1}); err == nil {
			t.Fatal("no error")
		}
	})
}

// Events recorded by earlier versions (testdata/accessed-v1.jsonl, as the HTTP API wrote them)
// still decode, and encode to the same bytes: the wire format has not moved.
func TestAccessed_reads_recorded_history(t *testing.T) {
	f, err := os.Open("testdata/accessed-v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var a auditlog.Accessed
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if a.User == "" || a.Path == "" || a.Process == "" || a.At.IsZero() {
			t.Fatalf("line %d decodes incompletely: %+v", n+1, a)
		}
		again, _ := json.Marshal(a)
		if string(again) != sc.Text() {
			t.Fatalf("line %d:\n got %s\nwant %s", n+1, again, sc.Text())
		}
		n++
	}
	if n == 0 || auditlog.Type != "audit.accessed" || auditlog.Stream("leipzig") != "audit-leipzig" {
		t.Fatal("wire name, stream name or history changed")
	}
}
