package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/verify"
)

// newVerifier verifies the harness's store: its log and its seals (the harness runs no SQL read
// models; the CLI's tests cover those).
func newVerifier(t testing.TB, store *sqlite.Store, key note.Verifier) *verify.Verifier {
	t.Helper()
	v, err := verify.New(verify.Config{Store: store, Key: key, Heads: store.Seals().List, Hashes: seal.TileHashes(store.MerkleTiles()),
		Log: func(ctx context.Context) (int64, int, error) {
			res, err := store.VerifyLog(ctx)
			return res.Events, res.Streams, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type verifyReport struct {
	Scope  string         `json:"scope"`
	OK     bool           `json:"ok"`
	Checks []verify.Check `json:"checks"`
}

func verifyReply(t *testing.T, r reply) verifyReport {
	t.Helper()
	var rep verifyReport
	if r.status != 200 || json.Unmarshal(r.body, &rep) != nil {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	return rep
}

func TestAPI_verify_store_is_for_installation_administrators_only(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.open("leipzig", "Prüfung")
	for who, want := range map[string]int{"administrator@*": 200, "auditor@leipzig": 403,
		"administrator@leipzig": 403, "lead@leipzig": 403, "viewer@menden": 403, "": 401} {
		if r := s.call("POST", "/api/v1/audit/verify", who, nil); r.status != want {
			t.Errorf("%s: %d %s, want %d", who, r.status, r.body, want)
		}
	}
	rep := verifyReply(t, s.call("POST", "/api/v1/audit/verify", "administrator@*", nil))
	if !rep.OK || rep.Scope != "store" || rep.Checks[0].Name != "log" || rep.Checks[0].Status != verify.StatusOK {
		t.Fatalf("clean store: %+v", rep)
	}
}

func TestAPI_verify_process_finds_a_rewritten_event_and_records_the_auditors_access(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id := s.open("leipzig", "Prüfung")
	s.call("POST", "/api/v1/processes/"+id+"/record_contribution", "member@leipzig", map[string]any{"text": "Idee"})
	if _, _, err := s.sealer.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/processes/" + id + "/verify"
	rep := verifyReply(t, s.call("POST", path, "auditor@leipzig", nil))
	if !rep.OK || rep.Scope != "process" {
		t.Fatalf("clean process: %+v", rep)
	}
	for _, c := range rep.Checks {
		if c.Status != verify.StatusOK {
			t.Errorf("check %s: %s %s", c.Name, c.Status, c.Detail)
		}
	}
	if acc := s.accesses("leipzig"); len(acc) == 0 || acc[len(acc)-1].Path != path {
		t.Fatalf("the auditor's verification is not recorded: %+v", acc)
	}
	// An attacker with write access to the file changes the second event's hash.
	if _, err := s.store.ProjectionDB().Exec(`UPDATE events SET hash = zeroblob(32) WHERE stream = ? AND version = 2`, "process-"+id); err != nil {
		t.Fatal(err)
	}
	rep = verifyReply(t, s.call("POST", path, "administrator@leipzig", nil))
	if rep.OK || rep.Checks[0].Name != "stream" || rep.Checks[0].Problem == nil || rep.Checks[0].Problem.Version != 2 ||
		!strings.Contains(rep.Checks[0].Problem.Message, "hash does not match") {
		t.Fatalf("tampered process: %+v", rep)
	}
	whole := verifyReply(t, s.call("POST", "/api/v1/audit/verify", "administrator@*", nil))
	if whole.OK || whole.Checks[0].Problem == nil || whole.Checks[0].Problem.Stream != "process-"+id {
		t.Fatalf("tampered store: %+v", whole)
	}
}
