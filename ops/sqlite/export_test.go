package sqlite

import (
	"bytes"
	"context"
	"database/sql"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ReadAllQuery exposes the global log's query for the query-plan test.
var ReadAllQuery = readAllQuery

// FindQuery exposes Find's query for the query-plan test.
var FindQuery = findQuery

// StoredBody exposes the body the writer stores for a record, for the raw-insert benchmarks.
var StoredBody = storedBody

// RebuildRecord exposes how a stored row's canonical record is rebuilt, for the codec's tests.
var RebuildRecord = rebuildRecord

// IsRaw exposes whether a stored body is a canonical record, for the codec's tests.
var IsRaw = isRaw

// CreateAtVersion creates a database at path with the schema of version (an earlier release's).
func CreateAtVersion(ctx context.Context, path string, version int) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_journal_mode=WAL&mode=rwc")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return migrateTo(ctx, conn, version)
}

// PackFieldsSum exposes the SHA-256 of the pinned field names.
var PackFieldsSum = packFieldsSum

// EncodeCompactV1 writes the compact body of format 1, as migration 8's release did: the data
// with every UUID escaped in place. Bodies of that form are still read.
func EncodeCompactV1(e eventstore.Event) []byte {
	b := encodeCompact(eventstore.Event{ID: e.ID, Stream: e.Stream, Version: e.Version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, RecordedAt: e.RecordedAt, Metadata: e.Metadata})
	b[0], b[1] = compactFormat, b[1]&^flagDataPacked
	if bytes.IndexByte(e.Data, uuidEscape) < 0 {
		if d, ok := escapeUUIDs(e.Data); ok {
			b[1] |= flagDataUUIDs
			return append(b, d...)
		}
	}
	return append(b, e.Data...)
}

// escapeUUIDs replaces every UUID in canonical text in d by uuidEscape and its 16 bytes; false
// when there is none.
func escapeUUIDs(d []byte) ([]byte, bool) {
	var out []byte
	last := 0
	for i := 0; i+36 <= len(d); {
		if d[i+8] != '-' || d[i+13] != '-' {
			i++
			continue
		}
		u, ok := canonicalUUID(d[i : i+36])
		if !ok {
			i++
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(d))
		}
		out = append(out, d[last:i]...)
		out = append(out, uuidEscape)
		out = append(out, u[:]...)
		i += 36
		last = i
	}
	if out == nil {
		return nil, false
	}
	return append(out, d[last:]...), true
}
