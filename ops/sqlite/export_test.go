package sqlite

import (
	"context"
	"database/sql"
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
