package eventstoretest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// ArchiveFactory opens a fresh snapshot archive for one test.
type ArchiveFactory func(t *testing.T) eventstore.SnapshotArchive

// RunArchive runs the conformance suite of eventstore.SnapshotArchive: the nearest snapshot at or
// before a version or an instant, per stream and schema, and no snapshot ever replaced.
func RunArchive(t *testing.T, newArchive ArchiveFactory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a eventstore.SnapshotArchive)
	}{
		{"finds_the_nearest_snapshot_at_or_before_a_version", testNearestVersion},
		{"finds_the_nearest_snapshot_at_or_before_an_instant", testNearestTime},
		{"keeps_streams_and_schemas_apart", testArchiveApart},
		{"never_replaces_a_kept_snapshot", testArchiveImmutable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newArchive(t)) })
	}
}

// archived keeps snapshots of stream at the versions, each recorded a minute after FixedTime
// per version, with data naming its version.
func archived(t *testing.T, a eventstore.SnapshotArchive, stream string, schema int, versions ...int64) {
	t.Helper()
	for _, v := range versions {
		if err := a.Keep(context.Background(), stream, snap(schema, v, "v")); err != nil {
			t.Fatalf("keep %s@%d: %v", stream, v, err)
		}
	}
}

func snap(schema int, v int64, data string) eventstore.Snapshot {
	s := eventstore.Snapshot{Version: v, Schema: schema, RecordedAt: FixedTime.Add(time.Duration(v) * time.Minute),
		Data: []byte(data + string(rune('0'+v%10)))}
	s.EventHash[0], s.EventHash[31] = byte(v), byte(schema)
	return s
}

// nearest asks for the nearest snapshot and returns its version (0 for none), checking that
// every field came back as kept.
func nearest(t *testing.T, a eventstore.SnapshotArchive, stream string, schema int, at eventstore.Target) int64 {
	t.Helper()
	s, ok, err := a.Nearest(context.Background(), stream, schema, at)
	if err != nil {
		t.Fatalf("nearest %+v: %v", at, err)
	}
	if !ok {
		return 0
	}
	want := snap(schema, s.Version, "v")
	if s.Schema != schema || s.EventHash != want.EventHash || !s.RecordedAt.Equal(want.RecordedAt) || !bytes.Equal(s.Data, want.Data) {
		t.Fatalf("nearest %+v: got %+v, kept %+v", at, s, want)
	}
	return s.Version
}

func testNearestVersion(t *testing.T, a eventstore.SnapshotArchive) {
	stream := "archive-" + uuid.NewString()
	archived(t, a, stream, 1, 10, 20, 30)
	for target, want := range map[int64]int64{0: 30, 5: 0, 10: 10, 19: 10, 20: 20, 29: 20, 30: 30, 1000: 30} {
		if got := nearest(t, a, stream, 1, eventstore.Target{Version: target}); got != want {
			t.Errorf("at version %d: got the snapshot at %d, want %d", target, got, want)
		}
	}
}

func testNearestTime(t *testing.T, a eventstore.SnapshotArchive) {
	stream := "archive-" + uuid.NewString()
	archived(t, a, stream, 1, 10, 20, 30)
	cases := []struct {
		at   time.Time
		want int64
	}{
		{FixedTime, 0},
		{FixedTime.Add(10*time.Minute - time.Nanosecond), 0},
		{FixedTime.Add(10 * time.Minute), 10},
		{FixedTime.Add(25 * time.Minute), 20},
		{FixedTime.Add(30 * time.Minute), 30},
		{FixedTime.Add(24 * time.Hour), 30},
	}
	for _, c := range cases {
		if got := nearest(t, a, stream, 1, eventstore.Target{Time: c.at}); got != c.want {
			t.Errorf("at %s: got the snapshot at %d, want %d", c.at, got, c.want)
		}
	}
	if got := nearest(t, a, stream, 1, eventstore.Target{Version: 20, Time: FixedTime.Add(time.Hour)}); got != 20 {
		t.Errorf("at version 20 and a later instant: got %d, want 20", got)
	}
}

func testArchiveApart(t *testing.T, a eventstore.SnapshotArchive) {
	one, two := "archive-"+uuid.NewString(), "archive-"+uuid.NewString()
	archived(t, a, one, 1, 10)
	archived(t, a, one, 2, 20)
	if got := nearest(t, a, two, 1, eventstore.Target{}); got != 0 {
		t.Errorf("another stream: got the snapshot at %d, want none", got)
	}
	if got := nearest(t, a, one, 1, eventstore.Target{}); got != 10 {
		t.Errorf("schema 1: got %d, want 10", got)
	}
	if got := nearest(t, a, one, 2, eventstore.Target{}); got != 20 {
		t.Errorf("schema 2: got %d, want 20", got)
	}
}

func testArchiveImmutable(t *testing.T, a eventstore.SnapshotArchive) {
	stream := "archive-" + uuid.NewString()
	archived(t, a, stream, 1, 10)
	other := snap(1, 10, "changed")
	if err := a.Keep(context.Background(), stream, other); err != nil {
		t.Fatalf("keeping again: %v, want no error", err)
	}
	nearest(t, a, stream, 1, eventstore.Target{}) // fails unless the first one stayed
}
