package eventstore

import "context"

// Snapshot is a cached state of a stream's aggregate at a version, tied to the chain hash of the
// event at that version so that a snapshot which does not match the log can be recognised.
type Snapshot struct {
	// Version is the stream version the state includes.
	Version int64
	// Schema is the version of the snapshot's format.
	Schema int
	// EventHash is the chain hash of the stream's event at Version.
	EventHash Hash
	// Data is the encoded state.
	Data []byte
}

// SnapshotStore keeps the latest snapshot of each stream. Snapshots are a cache: losing one
// costs a replay, never correctness.
type SnapshotStore interface {
	// Load returns the stream's snapshot, if there is one.
	Load(ctx context.Context, stream string) (Snapshot, bool, error)
	// Save replaces the stream's snapshot with a newer one.
	Save(ctx context.Context, stream string, s Snapshot) error
}
