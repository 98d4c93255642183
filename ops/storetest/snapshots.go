package storetest

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// RunSnapshots runs the conformance suite of eventstore.SnapshotStore: one snapshot per stream,
// replaced only by a newer version.
func RunSnapshots(t *testing.T, newStore func(t *testing.T) eventstore.SnapshotStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.SnapshotStore)
	}{
		{"has_none_for_a_new_stream", testSnapshotNone},
		{"keeps_the_newest_version_per_stream", testSnapshotNewest},
		{"keeps_streams_apart", testSnapshotApart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func snapshot(v int64, data string) eventstore.Snapshot {
	s := eventstore.Snapshot{Version: v, Schema: 3, Data: []byte(data)}
	s.EventHash[0], s.EventHash[31] = byte(v), 0xab
	return s
}

func load(t *testing.T, s eventstore.SnapshotStore, stream string) (eventstore.Snapshot, bool) {
	t.Helper()
	got, ok, err := s.Load(ctxFor(t), stream)
	if err != nil {
		t.Fatalf("load %s: %v", stream, err)
	}
	return got, ok
}

func testSnapshotNone(t *testing.T, s eventstore.SnapshotStore) {
	if got, ok := load(t, s, "process-"+uuid.NewString()); ok {
		t.Fatalf("load of a stream without a snapshot = %+v, true", got)
	}
}

func testSnapshotNewest(t *testing.T, s eventstore.SnapshotStore) {
	stream := "process-" + uuid.NewString()
	steps := []struct {
		name string
		save eventstore.Snapshot
		want eventstore.Snapshot
	}{
		{"first", snapshot(10, "ten"), snapshot(10, "ten")},
		{"newer_replaces", snapshot(20, "twenty"), snapshot(20, "twenty")},
		{"older_changes_nothing", snapshot(15, "fifteen"), snapshot(20, "twenty")},
		{"same_version_changes_nothing", snapshot(20, "other"), snapshot(20, "twenty")},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.Save(ctxFor(t), stream, st.save); err != nil {
				t.Fatal(err)
			}
			got, ok := load(t, s, stream)
			if !ok || got.Version != st.want.Version || got.Schema != st.want.Schema || got.EventHash != st.want.EventHash || !bytes.Equal(got.Data, st.want.Data) {
				t.Fatalf("load = %+v, %v; want %+v", got, ok, st.want)
			}
		})
	}
}

func testSnapshotApart(t *testing.T, s eventstore.SnapshotStore) {
	a, b := "process-"+uuid.NewString(), "process-"+uuid.NewString()
	if err := s.Save(ctxFor(t), a, snapshot(5, "a")); err != nil {
		t.Fatal(err)
	}
	if got, ok := load(t, s, b); ok {
		t.Fatalf("another stream has %+v", got)
	}
	if got, ok := load(t, s, a); !ok || string(got.Data) != "a" {
		t.Fatalf("load = %+v, %v", got, ok)
	}
}
