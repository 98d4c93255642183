package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Snapshots keeps one snapshot per stream in the snapshots table: a cache of an aggregate's state
// at a version, tied to the chain hash of the event at that version.
type Snapshots struct{ s *Store }

var _ eventstore.SnapshotStore = (*Snapshots)(nil)

// Snapshots returns the store's snapshot table.
func (s *Store) Snapshots() *Snapshots { return &Snapshots{s: s} }

// Load returns the stream's snapshot, if there is one.
func (sn *Snapshots) Load(ctx context.Context, stream string) (eventstore.Snapshot, bool, error) {
	var s eventstore.Snapshot
	if sn.s.isClosed() {
		return s, false, eventstore.ErrClosed
	}
	var hash []byte
	err := sn.s.pool.QueryRow(ctx, `SELECT version, schema, event_hash, data FROM snapshots WHERE stream = $1`, stream).
		Scan(&s.Version, &s.Schema, &hash, &s.Data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return s, false, nil
	case err != nil:
		return s, false, fmt.Errorf("postgres: load snapshot: %w", err)
	case len(hash) != len(s.EventHash):
		return eventstore.Snapshot{}, false, nil
	}
	copy(s.EventHash[:], hash)
	return s, true, nil
}

// Save replaces the stream's snapshot with a newer one; an older or equal version changes nothing.
func (sn *Snapshots) Save(ctx context.Context, stream string, s eventstore.Snapshot) error {
	if sn.s.isClosed() {
		return eventstore.ErrClosed
	}
	_, err := sn.s.pool.Exec(ctx, `INSERT INTO snapshots (stream, version, schema, event_hash, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, schema = excluded.schema, event_hash = excluded.event_hash, data = excluded.data
		WHERE excluded.version > snapshots.version`, stream, s.Version, s.Schema, s.EventHash[:], s.Data)
	if err != nil {
		return fmt.Errorf("postgres: save snapshot: %w", err)
	}
	return nil
}

// Archive keeps snapshots of past states in the snapshot_archive table, never replacing or
// deleting one (a trigger refuses it).
type Archive struct{ s *Store }

var _ eventstore.SnapshotArchive = (*Archive)(nil)

// Archive returns the store's snapshot archive.
func (s *Store) Archive() *Archive { return &Archive{s: s} }

// Keep archives a snapshot; one kept before for the same stream, schema and version stays.
func (a *Archive) Keep(ctx context.Context, stream string, s eventstore.Snapshot) error {
	if a.s.isClosed() {
		return eventstore.ErrClosed
	}
	_, err := a.s.pool.Exec(ctx, `INSERT INTO snapshot_archive (stream, schema, version, recorded_at, event_hash, data)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, stream, s.Schema, s.Version, s.RecordedAt.UnixNano(), s.EventHash[:], s.Data)
	if err != nil {
		return fmt.Errorf("postgres: archive snapshot: %w", err)
	}
	return nil
}

// Nearest returns the archived snapshot with the highest version at or before the target.
func (a *Archive) Nearest(ctx context.Context, stream string, schema int, at eventstore.Target) (eventstore.Snapshot, bool, error) {
	s := eventstore.Snapshot{Schema: schema}
	if a.s.isClosed() {
		return s, false, eventstore.ErrClosed
	}
	version, recorded := int64(math.MaxInt64), int64(math.MaxInt64)
	if at.Version > 0 {
		version = at.Version
	}
	if !at.Time.IsZero() {
		recorded = at.Time.UnixNano()
	}
	var hash []byte
	var ns int64
	err := a.s.pool.QueryRow(ctx, `SELECT version, recorded_at, event_hash, data FROM snapshot_archive
		WHERE stream = $1 AND schema = $2 AND version <= $3 AND recorded_at <= $4 ORDER BY version DESC LIMIT 1`,
		stream, schema, version, recorded).Scan(&s.Version, &ns, &hash, &s.Data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return s, false, nil
	case err != nil:
		return s, false, fmt.Errorf("postgres: nearest snapshot: %w", err)
	case len(hash) != len(s.EventHash):
		return eventstore.Snapshot{Schema: schema}, false, nil
	}
	copy(s.EventHash[:], hash)
	s.RecordedAt = time.Unix(0, ns).UTC()
	return s, true, nil
}
