package sqlite

import (
	"compress/flate"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Snapshots keeps one snapshot per stream in the snapshots table: a cache of an aggregate's state
// at a version, tied to the chain hash of the event at that version. Data of snapshotMinDeflate
// bytes or more is stored compressed (encoding snapshotDeflate) when that makes it smaller.
type Snapshots struct {
	store *Store
	db    *sql.DB
}

var _ eventstore.SnapshotStore = (*Snapshots)(nil)

// The encodings of a snapshot's data (column encoding, migration 10).
const (
	snapshotPlain   = 0 // as the caller gave it
	snapshotDeflate = 1 // DEFLATE (compress/flate), no dictionary
)

// snapshotMinDeflate is the size from which Save compresses; the process list's snapshot (about
// 680 bytes per process, mostly JSON) shrinks to a fifteenth.
const snapshotMinDeflate = 512

// snapshotMaxData bounds a snapshot's data when it is decompressed.
const snapshotMaxData = 1 << 30

// Snapshots returns the store's snapshot table; nil for a read-only store.
func (s *Store) Snapshots() *Snapshots {
	v := s.Vault()
	if v == nil {
		return nil
	}
	return &Snapshots{store: s, db: v.db}
}

// Load returns the stream's snapshot, if there is one. Data that does not decompress is an error.
func (sn *Snapshots) Load(ctx context.Context, stream string) (eventstore.Snapshot, bool, error) {
	var s eventstore.Snapshot
	var hash []byte
	var encoding int
	rows, err := sn.store.query(ctx, `SELECT version, schema, event_hash, data, encoding FROM snapshots WHERE stream = ?`, stream)
	if err == nil {
		err = sql.ErrNoRows
		if rows.Next() {
			err = rows.Scan(&s.Version, &s.Schema, &hash, &s.Data, &encoding)
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
	if s.Data, err = SnapshotData(s.Data, encoding); err != nil {
		return eventstore.Snapshot{}, false, fmt.Errorf("sqlite: load snapshot of %q: %w", stream, err)
	}
	copy(s.EventHash[:], hash)
	return s, true, nil
}

// SnapshotData returns a snapshot's data as the caller saved it, from the snapshots table's data
// and encoding columns (for tools that read the table, such as a store copy).
func SnapshotData(data []byte, encoding int) ([]byte, error) {
	switch encoding {
	case snapshotPlain:
		return data, nil
	case snapshotDeflate:
		return inflate(data, nil, snapshotMaxData)
	}
	return nil, fmt.Errorf("unknown snapshot encoding %d (written by a newer civicflow?)", encoding)
}

// Save replaces the stream's snapshot. It compresses before it writes, outside the write lock.
func (sn *Snapshots) Save(ctx context.Context, stream string, s eventstore.Snapshot) error {
	data, encoding := s.Data, snapshotPlain
	if len(data) >= snapshotMinDeflate {
		if z := deflate(data, flate.DefaultCompression, nil); len(z) < len(data) {
			data, encoding = z, snapshotDeflate
		}
	}
	_, err := sn.db.ExecContext(ctx, `INSERT INTO snapshots (stream, version, schema, event_hash, data, encoding) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, schema = excluded.schema, event_hash = excluded.event_hash,
			data = excluded.data, encoding = excluded.encoding
		WHERE excluded.version > snapshots.version`, stream, s.Version, s.Schema, s.EventHash[:], data, encoding)
	if err != nil {
		return fmt.Errorf("sqlite: save snapshot: %w", err)
	}
	return nil
}
