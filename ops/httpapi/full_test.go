package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite/sqlitetest"
)

// On a full disk (the store's size cap, filled by other data) a command answers 503 storage_full,
// reads go on, nothing acknowledged is lost, and once room is made commands work again and the
// read models catch up.
func TestAPI_a_command_on_a_full_disk_answers_503_and_loses_nothing(t *testing.T) {
	t.Parallel()
	const pages = 4096
	s := newServerOpts(t, serverOpts{maxSize: pages * 4096})
	id := s.open("leipzig", "Volle Platte")
	base := "/api/v1/processes/" + id
	// Leave a few pages, so that some commands are acknowledged before the disk is full whatever
	// the free room in the pages written before (the embedded templates' sizes move it).
	sqlitetest.Fill(t, s.path, pages-16)
	var acked []string
	reason := strings.Repeat("Haushaltssperre ", 60)
	full := false
	for i := 0; i < 2000 && !full; i++ {
		cmd, body := "suspend", map[string]any{"reason": fmt.Sprint(i, " ", reason)}
		if i%2 == 1 {
			cmd, body = "resume", map[string]any{}
		}
		r := s.call("POST", base+"/"+cmd, "lead@leipzig", body)
		switch {
		case r.status == 200:
			acked = append(acked, cmd)
		case r.status == 503 && code(t, r) == "storage_full":
			full = true
		default:
			t.Fatalf("%s on a filling disk: %d %s", cmd, r.status, r.body)
		}
	}
	if !full {
		t.Fatal("the disk never got full")
	}
	if len(acked) == 0 {
		t.Fatal("no command was acknowledged before the disk got full: the test would prove nothing")
	}
	if r := s.call("GET", base, "lead@leipzig", nil); r.status != 200 {
		t.Fatalf("reading on a full disk: %d %s", r.status, r.body)
	}
	sqlitetest.Free(t, s.path)
	next, body := "suspend", map[string]any{"reason": "wieder Platz"}
	if len(acked)%2 == 1 { // suspended
		next, body = "resume", map[string]any{}
	}
	if r := s.call("POST", base+"/"+next, "lead@leipzig", body); r.status != 200 {
		t.Fatalf("%s after room was made: %d %s", next, r.status, r.body)
	}
	s.readModelsCaughtUp() // they paused while the disk was full
	events, err := s.store.ReadStream(context.Background(), "process-"+id, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// the open's events, then one event per acknowledged command, then the one after room was made
	got := events[len(events)-len(acked)-1 : len(events)-1]
	for i, e := range got {
		want := "process.suspended"
		if acked[i] == "resume" {
			want = "process.resumed"
		}
		if e.Type != want {
			t.Fatalf("acknowledged command %d (%s) is recorded as %s", i, acked[i], e.Type)
		}
	}
}
