package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Snapshots keeps one snapshot per stream in the snapshots table: a cache of an aggregate's state
// at a version, tied to the chain hash of the event at that version.
type Snapshots struct {
	store *Store
	db    *sql.DB
}

var _ eventstore.SnapshotStore = (*Snapshots)(nil)

// Snapshots returns the store's snapshot table; nil for a read-only store.
func (s *Store) Snapshots() *Snapshots {
	v := s.Vault()
	if v == nil {
		return nil
	}
	return &Snapshots{store: s, db: v.db}
}

// Load returns the stream's snapshot, if there is one.
func (sn *Snapshots) Load(ctx context.Context, stream string) (eventstore.Snapshot, bool, error) {
	var s eventstore.Snapshot
	var hash []byte
	rows, err := sn.store.query(ctx, `SELECT version, schema, event_hash, data FROM snapshots WHERE stream = ?`, stream)
	if err == nil {
		err = sql.ErrNoRows
		if rows.Next() {
			err = rows.Scan(&s.Version, &s.Schema, &hash, &s.Data)
		}
		if rerr := rows.Close(); err == nil {
			err = rerr
		}
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, false, nil
	case err != nil:
		return s, false, fmt.Errorf("sqlite: load snapshot: %w", err)
	case len(hash) != len(s.EventHash):
		return s, false, nil
	}
	copy(s.EventHash[:], hash)
	return s, true, nil
}

// Save replaces the stream's snapshot.
func (sn *Snapshots) Save(ctx context.Context, stream string, s eventstore.Snapshot) error {
	_, err := sn.db.ExecContext(ctx, `INSERT INTO snapshots (stream, version, schema, event_hash, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, schema = excluded.schema, event_hash = excluded.event_hash, data = excluded.data
		WHERE excluded.version > snapshots.version`, stream, s.Version, s.Schema, s.EventHash[:], s.Data)
	if err != nil {
		return fmt.Errorf("sqlite: save snapshot: %w", err)
	}
	return nil
}
