package eventstore

import (
	"context"
	"time"
)

// Snapshot is a cached state of a stream's aggregate at a version, tied to the chain hash of the
// event at that version so that a snapshot which does not match the log can be recognised.
type Snapshot struct {
	// Version is the stream version the state includes.
	Version int64
	// Schema is the version of the snapshot's format.
	Schema int
	// EventHash is the chain hash of the stream's event at Version.
	EventHash Hash
	// RecordedAt is when the stream's event at Version was recorded. Archived snapshots need it
	// (they answer past instants); the latest-snapshot store may leave it zero.
	RecordedAt time.Time
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

// SnapshotArchive keeps snapshots of streams' past states, for reading a stream as it was at a
// version or an instant without replaying it from the start. Unlike a SnapshotStore it never
// replaces or removes a snapshot: a past state does not change. Archived snapshots are still only
// trusted while the event at their version carries their EventHash.
type SnapshotArchive interface {
	// Keep archives a snapshot. Keeping one again for the same stream, schema and version changes
	// nothing and is not an error.
	Keep(ctx context.Context, stream string, s Snapshot) error
	// Nearest returns the stream's archived snapshot of the schema with the highest version
	// that is at most at.Version (when not 0) and was recorded at or before at.Time (when not
	// zero); false when there is none.
	Nearest(ctx context.Context, stream string, schema int, at Target) (Snapshot, bool, error)
}

// Target is a past state of a stream: the state after the event at Version, or after the last
// event recorded at or before Time. A zero field does not limit.
type Target struct {
	// Version is the last version to include; 0 means no limit.
	Version int64
	// Time is the latest recorded time to include; zero means no limit.
	Time time.Time
}
