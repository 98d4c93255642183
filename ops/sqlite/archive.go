package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Archive keeps snapshots of past states in the snapshot_archive table, never replacing or
// deleting one (triggers refuse it).
type Archive struct {
	store *Store
	db    *sql.DB
}

var _ eventstore.SnapshotArchive = (*Archive)(nil)

// Archive returns the store's snapshot archive; nil for a read-only store.
func (s *Store) Archive() *Archive {
	v := s.Vault()
	if v == nil {
		return nil
	}
	return &Archive{store: s, db: v.db}
}

// Keep archives a snapshot; one kept before for the same stream, schema and version stays.
func (a *Archive) Keep(ctx context.Context, stream string, s eventstore.Snapshot) error {
	_, err := a.db.ExecContext(ctx, `INSERT INTO snapshot_archive (stream, schema, version, recorded_at, event_hash, data)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, stream, s.Schema, s.Version, s.RecordedAt.UnixNano(), s.EventHash[:], s.Data)
	if err != nil {
		return fmt.Errorf("sqlite: archive snapshot: %w", err)
	}
	return nil
}

// Nearest returns the archived snapshot with the highest version at or before the target.
func (a *Archive) Nearest(ctx context.Context, stream string, schema int, at eventstore.Target) (eventstore.Snapshot, bool, error) {
	version, recorded := int64(math.MaxInt64), int64(math.MaxInt64)
	if at.Version > 0 {
		version = at.Version
	}
	if !at.Time.IsZero() {
		recorded = at.Time.UnixNano()
	}
	s := eventstore.Snapshot{Schema: schema}
	var hash []byte
	var ns int64
	rows, err := a.store.query(ctx, `SELECT version, recorded_at, event_hash, data FROM snapshot_archive
		WHERE stream = ? AND schema = ? AND version <= ? AND recorded_at <= ? ORDER BY version DESC LIMIT 1`, stream, schema, version, recorded)
	if err != nil {
		return s, false, fmt.Errorf("sqlite: nearest snapshot: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return s, false, rows.Err()
	}
	if err := rows.Scan(&s.Version, &ns, &hash, &s.Data); err != nil {
		return s, false, fmt.Errorf("sqlite: nearest snapshot: %w", err)
	}
	if len(hash) != len(s.EventHash) {
		return s, false, nil
	}
	copy(s.EventHash[:], hash)
	s.RecordedAt = time.Unix(0, ns).UTC()
	return s, true, nil
}
