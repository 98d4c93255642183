package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"

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
	m := e.Metadata
	b := []byte{compactFormat, 0}
	flags := byte(0)
	b = binary.AppendUvarint(b, uint64(e.SchemaVersion))
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	b = appendStr(b, m.Tenant)
	b = appendStr(b, m.Actor)
	b, flags = appendID(b, m.CommandID, flags, flagCommandUUID)
	if m.CorrelationID == m.CommandID {
		flags |= flagCorrSame
	} else {
		b, flags = appendID(b, m.CorrelationID, flags, flagCorrUUID)
	}
	if m.CausationID == m.CommandID {
		flags |= flagCausSame
	} else {
		b, flags = appendID(b, m.CausationID, flags, flagCausUUID)
	}
	if bytes.IndexByte(e.Data, uuidEscape) < 0 {
		if d, ok := escapeUUIDs(e.Data); ok {
			b[1] = flags | flagDataUUIDs
			return append(b, d...)
		}
	}
	b[1] = flags
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

// WALCheckpoints reports how many background checkpoints the store ran, and how many failed.
func WALCheckpoints(s *Store) (runs, failures int64) {
	return s.ckpt.runs.Load(), s.ckpt.failures.Load()
}

// WALBackstopPages exposes the WAL size at which a commit checkpoints on its own connection.
const WALBackstopPages = walBackstopPages
